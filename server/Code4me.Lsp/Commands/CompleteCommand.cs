using System.CommandLine;
using System.Globalization;
using Code4me.Lsp.Core.Completion;
using Code4me.Lsp.Core.Completion.Offline;
using Code4me.Lsp.Core.Documents;
using Code4me.Lsp.Core.Telemetry;
using Code4me.Lsp.Handlers.InlineCompletion;
using Code4me.Lsp.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Code4me.Lsp.Commands;

/// <summary>
/// <c>code4me-lsp complete FILE:LINE:COL</c>: prints what the server would suggest at that place (1-based line
/// and column, as editors show them), after learning from the file's folder like the server does at start.
/// </summary>
internal static class CompleteCommand
{
    public static Command Create(CliContext context)
    {
        var location = new Argument<string>("location") { Description = "FILE:LINE:COL, 1-based (e.g. src/app.py:12:8)." };
        var workspace = new Option<string?>("--workspace") { Description = "Folder the offline model learns from first (default: the file's folder)." };
        var config = new Option<string[]>("--config", "-c") { Description = "A setting as Key=Value (repeatable)." };
        var command = new Command("complete", "Print the inline completion the server would offer at FILE:LINE:COL.") { location, workspace };
        command.Options.Add(config);
        command.SetAction((parseResult, cancellationToken) => RunAsync(
            parseResult.GetValue(location)!, parseResult.GetValue(workspace), parseResult.GetValue(config) ?? [], context, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string location, string? workspace, IReadOnlyList<string> config, CliContext context, CancellationToken cancellationToken)
    {
        if (!TryParse(location, out var path, out var line, out var column))
        {
            await context.Error.WriteLineAsync($"code4me-lsp complete: '{location}' is not FILE:LINE:COL with 1-based numbers (e.g. src/app.py:12:8).");
            return 2;
        }

        if (!File.Exists(path))
        {
            await context.Error.WriteLineAsync($"code4me-lsp complete: no such file: {path}");
            return 1;
        }

        var builder = LanguageServerBuilder.Create(new LanguageServerTransport(Stream.Null, Stream.Null), [.. config, "Code4me:Logging:Level=Warning"]);
        // A one-off suggestion on the command line is not a study session: it records no telemetry.
        builder.Services.AddSingleton<ITelemetrySink, DiscardingTelemetrySink>();
        await using var services = builder.Services.BuildServiceProvider();
        var fullPath = Path.GetFullPath(path);
        var uri = new Uri(fullPath).AbsoluteUri;
        var languageId = LanguageIds.FromPath(fullPath) ?? "plaintext";

        await services.GetRequiredService<WorkspaceIndexer>().IndexAsync([Path.GetFullPath(workspace ?? Path.GetDirectoryName(fullPath)!)], progress: null, cancellationToken);
        var documents = services.GetRequiredService<DocumentStore>();
        documents.Open(uri, languageId, 1, await File.ReadAllTextAsync(fullPath, cancellationToken));
        var document = documents.Get(uri);
        if (line > document.Text.LineCount)
        {
            await context.Error.WriteLineAsync($"code4me-lsp complete: line {line} is past the end of {path}, which has {document.Text.LineCount} line(s).");
            return 2;
        }

        var lineLength = document.Text.GetLineEnd(line - 1) - document.Text.GetLineStart(line - 1);
        if (column > lineLength + 1)
        {
            await context.Error.WriteLineAsync($"code4me-lsp complete: column {column} is past the end of line {line} of {path}, which has {lineLength} character(s) (the last column is {lineLength + 1}).");
            return 2;
        }

        var offset = document.GetOffset(line - 1, column - 1, PositionEncoding.Utf16);

        var completionContext = services.GetRequiredService<CompletionContextBuilder>().Build(document, offset, CompletionTriggerKind.Invoked);
        var outcome = await services.GetRequiredService<CompletionService>().CompleteAsync(completionContext, cancellationToken);
        foreach (var generation in outcome.Generations)
        {
            await context.Error.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"{generation.ModelName}: {(generation.Error is null ? $"confidence {generation.Confidence:F3}, {generation.Logprobs.Count} tokens, {generation.GenerationTimeMs:F1} ms" : "failed: " + generation.Error)}"));
        }

        if (outcome.Chosen is not { IsUsable: true } chosen)
        {
            await context.Error.WriteLineAsync("code4me-lsp complete: no suggestion at that position.");
            return 3;
        }

        await context.Out.WriteAsync(chosen.Completion);
        await context.Out.WriteLineAsync();
        return 0;
    }

    private static bool TryParse(string location, out string path, out int line, out int column)
    {
        path = string.Empty;
        line = column = 0;
        var second = location.LastIndexOf(':');
        var first = second > 0 ? location.LastIndexOf(':', second - 1) : -1;
        if (first <= 0)
        {
            return false;
        }

        path = location[..first];
        return int.TryParse(location[(first + 1)..second], NumberStyles.None, CultureInfo.InvariantCulture, out line) && line >= 1
            && int.TryParse(location[(second + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out column) && column >= 1;
    }
}
