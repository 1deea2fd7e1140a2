using System.Text;

namespace Code4me.Lsp.Core.Completion.Remote;

/// <summary>Renders prefix, suffix and extra context into what an OpenAI-compatible server receives.</summary>
public static class FimTemplate
{
    /// <summary>The built-in template text of a kind; placeholders <c>{prefix}</c>, <c>{suffix}</c>.</summary>
    public static string? TemplateOf(FimTemplateKind kind) => kind switch
    {
        FimTemplateKind.StarCoder => "<fim_prefix>{prefix}<fim_suffix>{suffix}<fim_middle>",
        FimTemplateKind.DeepSeekCoder => "<\uFF5Cfim\u2581begin\uFF5C>{prefix}<\uFF5Cfim\u2581hole\uFF5C>{suffix}<\uFF5Cfim\u2581end\uFF5C>",
        FimTemplateKind.CodeLlama => "<PRE> {prefix} <SUF>{suffix} <MID>",
        FimTemplateKind.Qwen25Coder => "<|fim_prefix|>{prefix}<|fim_suffix|>{suffix}<|fim_middle|>",
        FimTemplateKind.Codestral => "[SUFFIX]{suffix}[PREFIX]{prefix}",
        _ => null,
    };

    /// <summary>
    /// The <c>prompt</c> and optional <c>suffix</c> fields. <see cref="FimTemplateKind.SuffixField"/> sends the
    /// suffix as its own field; template kinds render everything into the prompt in one pass, so text that
    /// looks like a placeholder inside the code is never substituted again. <paramref name="context"/> (other
    /// files) goes before the prefix, or where a custom template puts <c>{context}</c>.
    /// </summary>
    public static (string Prompt, string? Suffix) Render(FimTemplateKind kind, string? customTemplate, string prefix, string suffix, string context = "")
    {
        switch (kind)
        {
            case FimTemplateKind.SuffixField:
                return (context + prefix, suffix);
            case FimTemplateKind.PrefixOnly:
                return (context + prefix, null);
        }

        var template = kind == FimTemplateKind.Custom ? customTemplate : TemplateOf(kind);
        if (string.IsNullOrEmpty(template))
        {
            throw new ArgumentException("A custom FIM template needs CustomTemplate with {prefix} and {suffix}.", nameof(customTemplate));
        }

        var contextInTemplate = template.Contains("{context}", StringComparison.Ordinal);
        var prefixValue = contextInTemplate ? prefix : context + prefix;
        var builder = new StringBuilder(template.Length + prefix.Length + suffix.Length + context.Length);
        var at = 0;
        while (at < template.Length)
        {
            var open = template.IndexOf('{', at);
            if (open < 0)
            {
                builder.Append(template, at, template.Length - at);
                break;
            }

            builder.Append(template, at, open - at);
            var rest = template.AsSpan(open);
            if (rest.StartsWith("{prefix}", StringComparison.Ordinal))
            {
                builder.Append(prefixValue);
                at = open + "{prefix}".Length;
            }
            else if (rest.StartsWith("{suffix}", StringComparison.Ordinal))
            {
                builder.Append(suffix);
                at = open + "{suffix}".Length;
            }
            else if (rest.StartsWith("{context}", StringComparison.Ordinal))
            {
                builder.Append(context);
                at = open + "{context}".Length;
            }
            else
            {
                builder.Append('{');
                at = open + 1;
            }
        }

        return (builder.ToString(), null);
    }

    /// <summary>
    /// Other documents as a block of code comments (<c>// Path: a.cs</c> then its text), most recent first,
    /// within <paramref name="budget"/> characters; a snippet that does not fit whole is cut from its start.
    /// </summary>
    public static string ContextBlock(IReadOnlyList<ContextSnippet> snippets, string languageId, int budget)
    {
        if (snippets.Count == 0 || budget <= 0)
        {
            return "";
        }

        var comment = languageId switch
        {
            "python" or "ruby" or "shellscript" or "yaml" or "r" or "perl" or "elixir" or "toml" => "#",
            "lua" or "sql" or "haskell" => "--",
            _ => "//",
        };
        var builder = new StringBuilder();
        foreach (var snippet in snippets)
        {
            var header = $"{comment} Path: {snippet.Path}\n";
            var room = budget - builder.Length - header.Length - 1;
            if (room <= 0)
            {
                break;
            }

            var text = snippet.Text.Length <= room ? snippet.Text : snippet.Text[^room..];
            builder.Append(header).Append(text).Append('\n');
        }

        return builder.ToString();
    }
}
