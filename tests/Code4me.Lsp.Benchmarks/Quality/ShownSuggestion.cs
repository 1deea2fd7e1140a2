using Code4me.Lsp.Core.Completion;
using Code4me.Lsp.Core.Completion.Offline;
using Code4me.Lsp.Core.Completion.PostProcessing;

namespace Code4me.Lsp.Benchmarks.Quality;

/// <summary>What the server would show from the offline model at the end of a document (no text after the caret).</summary>
internal static class ShownSuggestion
{
    public static string Of(OfflineCompletionModel model, string documentKey, string languageId, string prefix)
    {
        var context = new CompletionContext { DocumentKey = documentKey, Prefix = prefix, Suffix = "", LanguageId = languageId };
        var multiLine = LineMode.IsMultiLine(prefix, "", languageId);
        var raw = model.Generate(new ModelRequest(context, multiLine));
        return CompletionPostProcessor.Process(raw.Text, prefix, "", multiLine, []);
    }
}
