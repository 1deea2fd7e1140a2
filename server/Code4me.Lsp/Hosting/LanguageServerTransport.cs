namespace Code4me.Lsp.Hosting;

/// <summary>The streams the server speaks JSON-RPC on: stdin/stdout in the process, a pipe in tests.</summary>
internal sealed record LanguageServerTransport(Stream Input, Stream Output);
