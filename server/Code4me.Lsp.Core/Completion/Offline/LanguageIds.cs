namespace Code4me.Lsp.Core.Completion.Offline;

/// <summary>LSP language ids of source files by extension (for files the editor has not opened).</summary>
public static class LanguageIds
{
    private static readonly Dictionary<string, string> s_byExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".py"] = "python", [".pyi"] = "python", [".cs"] = "csharp", [".java"] = "java", [".kt"] = "kotlin",
        [".js"] = "javascript", [".mjs"] = "javascript", [".cjs"] = "javascript", [".jsx"] = "javascriptreact",
        [".ts"] = "typescript", [".tsx"] = "typescriptreact", [".go"] = "go", [".rs"] = "rust",
        [".c"] = "c", [".h"] = "c", [".cpp"] = "cpp", [".cc"] = "cpp", [".hpp"] = "cpp", [".cxx"] = "cpp",
        [".rb"] = "ruby", [".php"] = "php", [".swift"] = "swift", [".scala"] = "scala", [".lua"] = "lua",
        [".sh"] = "shellscript", [".bash"] = "shellscript", [".fs"] = "fsharp", [".ex"] = "elixir", [".exs"] = "elixir",
        [".dart"] = "dart", [".r"] = "r", [".sql"] = "sql", [".hs"] = "haskell", [".vue"] = "vue",
    };

    /// <summary>The language id of a path, or null when it is not a known source file.</summary>
    public static string? FromPath(string path) => s_byExtension.GetValueOrDefault(Path.GetExtension(path));
}
