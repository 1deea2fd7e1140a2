using System.CommandLine;
using System.Globalization;
using Code4me.Lsp.Core.Completion;
using Code4me.Lsp.Core.Completion.Offline;
using Code4me.Lsp.Core.Documents;
using Code4me.Lsp.Core.Telemetry;
using Code4me.Lsp.Hosting;
using Code4me.Lsp.Storage.Spool;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Code4me.Lsp.Commands;

/// <summary>
/// <c>code4me-lsp complete FILE:LINE:COL</c>: prints what the server would suggest at that place (1-based line
/// and column, as editors show them), after learning from the file's folder like the server does at start.
/// </summary>
internal static class CompleteCommand
{
    /// <summary>The file or the workspace folder is missing or unreadable as text.</summary>
    private const int FileFailure = 1;

    /// <summary>No model offered anything at that position.</summary>
    private const int NoSuggestion = 3;

    public static Command Create(GlobalOptions global, CliContext context)
    {
        var location = new Argument<string>("location") { Description = "FILE:LINE:COL, 1-based (e.g. src/app.py:12:8)." };
        var workspace = new Option<string?>("--workspace") { Description = "Folder the offline model learns from first (default: the file's folder)." };
        var command = new Command("complete", "Print the inline completion the server would offer at FILE:LINE:COL.") { location, workspace };
        command.SetAction((parseResult, cancellationToken) => RunAsync(
            parseResult.GetValue(location)!, parseResult.GetValue(workspace), global.ConfigOverrides(parseResult), context, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string location, string? workspace, IReadOnlyList<string> config, CliContext context, CancellationToken cancellationToken)
    {
        if (!TryParse(location, out var path, out var line, out var column))
        {
            await context.Error.WriteLineAsync($"code4me-lsp complete: '{location}' is not FILE:LINE:COL with 1-based numbers (e.g. src/app.py:12:8).");
            return Cli.Usage;
        }

        if (!File.Exists(path))
        {
            await context.Error.WriteLineAsync(Directory.Exists(path)
                ? $"code4me-lsp complete: {path} is a folder; give a file, e.g. {Path.Combine(path, "main.py")}:1:1."
                : $"code4me-lsp complete: no such file: {path}");
            return FileFailure;
        }

        if (workspace is not null && !Directory.Exists(workspace))
        {
            await context.Error.WriteLineAsync($"code4me-lsp complete: no such folder for --workspace: {workspace}");
            return FileFailure;
        }

        var text = await ReadTextAsync(path, cancellationToken);
        if (text is null)
        {
            await context.Error.WriteLineAsync($"code4me-lsp complete: {path} is not a text file (it holds NUL bytes).");
            return FileFailure;
        }

        var builder = LanguageServerBuilder.Create(new LanguageServerTransport(Stream.Null, Stream.Null), ["Code4me:Logging:Level=Warning", .. config]);
        // A one-off suggestion on the command line is not a study session: it records no telemetry and creates no
        // installation id (the experiment key reads one that exists).
        builder.Services.AddSingleton<ITelemetrySink, DiscardingTelemetrySink>();
        builder.Services.AddSingleton<IExperimentKey>(sp => new ExperimentKey(
            sp.GetRequiredService<IConfiguration>(), sp.GetRequiredService<InstallationIdentity>(), sp.GetRequiredService<ConsentPolicy>(), createInstallationId: false));
        await using var services = builder.Services.BuildServiceProvider();
        var fullPath = Path.GetFullPath(path);
        var uri = new Uri(fullPath).AbsoluteUri;
        var languageId = LanguageIds.FromPath(fullPath) ?? "plaintext";

        await services.GetRequiredService<WorkspaceIndexer>().IndexAsync([Path.GetFullPath(workspace ?? Path.GetDirectoryName(fullPath)!)], progress: null, cancellationToken);
        var documents = services.GetRequiredService<DocumentStore>();
        documents.Open(uri, languageId, 1, text);
        var document = documents.Get(uri);
        if (line > document.Text.LineCount)
        {
            await context.Error.WriteLineAsync($"code4me-lsp complete: line {line} is past the end of {path}, which has {document.Text.LineCount} line(s).");
            return Cli.Usage;
        }

        var lineLength = document.Text.GetLineEnd(line - 1) - document.Text.GetLineStart(line - 1);
        if (column > lineLength + 1)
        {
            await context.Error.WriteLineAsync($"code4me-lsp complete: column {column} is past the end of line {line} of {path}, which has {lineLength} character(s) (the last column is {lineLength + 1}).");
            return Cli.Usage;
        }

        var offset = document.GetOffset(line - 1, column - 1, PositionEncoding.Utf16);

        var outcome = (await services.GetRequiredService<CompletionFlow>().CompleteAsync(new CompletionRequest(document, offset, CompletionTriggerKind.Invoked), cancellationToken)).Outcome;
        foreach (var generation in outcome.Generations)
        {
            await context.Error.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"{generation.ModelName}: {(generation.Error is null ? $"confidence {generation.Confidence:F3}, {generation.Logprobs.Count} tokens, {generation.GenerationTimeMs:F1} ms" : "failed: " + generation.Error)}"));
        }

        if (outcome.Chosen is not { IsUsable: true } chosen)
        {
            await context.Error.WriteLineAsync("code4me-lsp complete: no suggestion at that position.");
            return NoSuggestion;
        }

        await context.Out.WriteAsync(chosen.Completion);
        await context.Out.WriteLineAsync();
        return 0;
    }

    /// <summary>The file as text (UTF-8, or what its byte order mark says), or null when it is binary: it holds NUL bytes (git's test).</summary>
    private static async Task<string?> ReadTextAsync(string path, CancellationToken cancellationToken)
    {
        var bytes = await File.ReadAllBytesAsync(path, cancellationToken);
        if (bytes.AsSpan().Contains((byte)0) && !HasUtf16ByteOrderMark(bytes))
        {
            return null;
        }

        using var reader = new StreamReader(new MemoryStream(bytes), System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return await reader.ReadToEndAsync(cancellationToken);
    }

    private static bool HasUtf16ByteOrderMark(byte[] bytes) =>
        bytes.Length >= 2 && ((bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF));

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
