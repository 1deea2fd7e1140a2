namespace Code4me.Lsp.Benchmarks;

internal static class Program
{
    public static int Main() => 0;
}
