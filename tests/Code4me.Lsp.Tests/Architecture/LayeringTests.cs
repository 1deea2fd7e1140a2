using System.Reflection;
using Code4me.Lsp.Core;
using Code4me.Lsp.Rpc;
using Code4me.Lsp.Storage;

namespace Code4me.Lsp.Tests.Architecture;

/// <summary>
/// The layering invariants of ARCHITECTURE.md, checked on the compiled assemblies: who may know the wire, who may know
/// the database driver, and how thin a handler is.
/// </summary>
public sealed class LayeringTests
{
    /// <summary>A handler converts, calls Core, converts back: a handful of dependencies at most.</summary>
    private const int MaxHandlerDependencies = 5;

    [Theory]
    [InlineData("StreamJsonRpc")]
    [InlineData("Nerdbank.Streams")]
    [InlineData("Npgsql")]
    [InlineData("Dapper")]
    public void Core_NeverReferencesTheWireOrTheDatabase(string forbidden) =>
        Assert.DoesNotContain(References(typeof(CoreAssembly).Assembly), name => name.StartsWith(forbidden, StringComparison.Ordinal));

    [Theory]
    [InlineData("StreamJsonRpc")]
    [InlineData("Nerdbank.Streams")]
    [InlineData("Dapper")]     // Native AOT (issue #20): statements go through SqlCommands, nothing maps rows by reflection
    public void Storage_NeverReferencesTheWireOrAReflectionMapper(string forbidden) =>
        Assert.DoesNotContain(References(typeof(StorageAssembly).Assembly), name => name.StartsWith(forbidden, StringComparison.Ordinal));

    /// <summary>The executable reaches the database only through Storage's own types (StorageDatabase, StorageException).</summary>
    [Theory]
    [InlineData("Npgsql")]
    [InlineData("Dapper")]
    public void Executable_NeverReferencesTheDatabaseDriver(string forbidden) =>
        Assert.DoesNotContain(References(typeof(Cli).Assembly), name => name.StartsWith(forbidden, StringComparison.Ordinal));

    [Fact]
    public void EveryHandler_TakesAHandfulOfDependencies()
    {
        var handlers = typeof(Cli).Assembly.GetTypes()
            .Where(t => t.GetInterfaces().Any(i => i.IsGenericType && (i.GetGenericTypeDefinition() == typeof(IRequestHandler<,>) || i.GetGenericTypeDefinition() == typeof(INotificationHandler<>))))
            .ToList();
        Assert.NotEmpty(handlers);
        var heavy = handlers
            .Select(t => (t.Name, Count: t.GetConstructors().Max(c => c.GetParameters().Length)))
            .Where(h => h.Count > MaxHandlerDependencies)
            .Select(h => $"{h.Name}: {h.Count}");
        Assert.Empty(heavy);
    }

    private static string[] References(Assembly assembly) => [.. assembly.GetReferencedAssemblies().Select(a => a.Name!)];
}
