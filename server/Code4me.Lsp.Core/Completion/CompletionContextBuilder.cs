using Code4me.Lsp.Core.Documents;
using Code4me.Lsp.Core.Privacy;
using Microsoft.Extensions.Options;

namespace Code4me.Lsp.Core.Completion;

/// <summary>
/// Cuts the prompt context out of a snapshot: prefix and suffix windows by character budget, and
/// snippets from other open documents of the same language, most recently edited first, within the
/// cross-file budget. Reads only the windows from the rope, never the whole document. Secret files are never
/// used as context. (Strings that look like keys are redacted where text leaves the process: in the remote
/// model's request and in recorded telemetry; the offline model is local and skips that cost.)
/// </summary>
public sealed class CompletionContextBuilder(DocumentActivity activity, IOptionsMonitor<CompletionOptions> options, SecretFileMatcher secretFiles, IExperimentKey experimentKey)
{
    public CompletionContext Build(TextDocument document, int offset, CompletionTriggerKind trigger)
    {
        var budget = options.CurrentValue;
        var text = document.Text;
        var prefixStart = Math.Max(0, offset - budget.PrefixCharBudget);
        var suffixLength = Math.Min(text.Length - offset, budget.SuffixCharBudget);

        var snippets = new List<ContextSnippet>();
        var remaining = budget.OtherDocumentsCharBudget;
        foreach (var other in activity.RecentDocuments(document.LanguageId, document.Uri))
        {
            if (remaining <= 0)
            {
                break;
            }

            if (secretFiles.IsSecret(other.Uri))
            {
                continue;
            }

            var take = Math.Min(remaining, other.Text.Length);
            snippets.Add(new ContextSnippet(DocumentPaths.FromUri(other.Uri), other.LanguageId, other.Text.GetText(other.Text.Length - take, take)) { Source = other.Text });
            remaining -= take;
        }

        return new CompletionContext
        {
            DocumentKey = document.Uri,
            Prefix = text.GetText(prefixStart, offset - prefixStart),
            PrefixOffset = prefixStart,
            Suffix = text.GetText(offset, suffixLength),
            LanguageId = document.LanguageId,
            FilePath = DocumentPaths.FromUri(document.Uri),
            TriggerKind = trigger,
            OtherDocuments = snippets,
            UserId = experimentKey.Key,
        };
    }
}
