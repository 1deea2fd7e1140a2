namespace Code4me.Lsp.Core.Telemetry;

/// <summary>
/// One change of a file used as multi-file context, after its baseline: a value of
/// <c>project.multi_file_context_changes</c>. Apply it to the file's text as known after the changes listed before
/// it: <c>text[..Offset] + Text + text[(Offset + (Deleted ?? text.Length - Offset))..]</c>.
/// </summary>
/// <param name="Path">The file, relative to the workspace folder of the project, with <c>/</c> separators.</param>
/// <param name="Offset">Where the change starts, in UTF-16 code units of the (redacted) text.</param>
/// <param name="Deleted">UTF-16 code units removed at <paramref name="Offset"/>; null: everything to the end (with offset 0, a reset).</param>
/// <param name="Text">The inserted text. In the database it is null when it equals the project's baseline of the path.</param>
/// <param name="At">When the server observed the file in this state (the query that used it).</param>
public sealed record MultiFileContextChange(string Path, int Offset, int? Deleted, string Text, DateTimeOffset At);
