using Code4me.Lsp.Core.Chat;
using Code4me.Lsp.Core.Session;
using Code4me.Lsp.Core.Telemetry;
using Code4me.Lsp.Storage;
using Code4me.Lsp.Storage.Postgres.Chat;
using Code4me.Lsp.Storage.Postgres.Reference;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Code4me.Lsp.IntegrationTests.Support;

/// <summary>The real PostgreSQL chat store outside a server: its own telemetry session, default chat options.</summary>
internal static class ChatStores
{
    public static PostgresChatStore NewPostgresChatStore(NpgsqlDataSource dataSource, Guid? authToken) => new(
        dataSource, new ReferenceData(dataSource), new TelemetrySession(new NullSink(), TimeProvider.System), new EditorSession(),
        new StaticOptions(new ChatOptions()), Options.Create(new Code4meStorageOptions { AuthToken = authToken }),
        NullLogger<PostgresChatStore>.Instance);

    private sealed class NullSink : ITelemetrySink
    {
        public void Enqueue(TelemetryEvent telemetryEvent)
        {
        }
    }

    private sealed class StaticOptions(ChatOptions value) : IOptionsMonitor<ChatOptions>
    {
        public ChatOptions CurrentValue => value;

        public ChatOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<ChatOptions, string?> listener) => null;
    }
}
