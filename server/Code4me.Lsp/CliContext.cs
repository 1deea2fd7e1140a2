namespace Code4me.Lsp;

/// <summary>
/// The process's standard streams, taken once by <see cref="Program"/>. The LSP server uses the raw
/// <see cref="Input"/>/<see cref="Output"/> streams; CLI commands print their results to <see cref="Out"/>
/// and their diagnostics to <see cref="Error"/>.
/// </summary>
internal sealed record CliContext(Stream Input, Stream Output, TextWriter Out, TextWriter Error);
