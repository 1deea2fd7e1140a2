using System.Reflection;
using Code4me.Lsp.Core;
using Code4me.Lsp.Storage;

namespace Code4me.Lsp.Tests.Architecture;

/// <summary>The two invariants the project layout exists for, checked on the compiled assemblies.</summary>
public sealed class LayeringTests
{
    [Theory]
    [InlineData("StreamJsonRpc")]
    [InlineData("Npgsql")]
    [InlineData("Dapper")]
    public void Core_NeverReferencesTheWireOrTheDatabase(string forbidden) =>
        Assert.DoesNotContain(References(typeof(CoreAssembly).Assembly), name => name.StartsWith(forbidden, StringComparison.Ordinal));

    [Fact]
    public void Storage_NeverReferencesTheWire() =>
        Assert.DoesNotContain(References(typeof(StorageAssembly).Assembly), name => name.StartsWith("StreamJsonRpc", StringComparison.Ordinal));

    private static string[] References(Assembly assembly) => [.. assembly.GetReferencedAssemblies().Select(a => a.Name!)];
}
