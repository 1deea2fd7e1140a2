using System.Diagnostics.CodeAnalysis;
using Code4me.Lsp.Core.Completion;
using Code4me.Lsp.Core.Documents;
using Code4me.Lsp.Core.Session;
using Code4me.Lsp.Core.Telemetry;
using Code4me.Lsp.Handlers.Lifecycle;
using Code4me.Lsp.Storage;
using Code4me.Lsp.Storage.Spool;
using Code4me.Lsp.Logging;
using Code4me.Lsp.Rpc;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Code4me.Lsp.Hosting;

/// <summary>
/// Builds the server's Generic Host. Configuration: the <see cref="SettingsSources"/> every command reads, then the
/// editor's settings (initializationOptions and workspace/didChangeConfiguration, section <c>code4me</c>).
/// </summary>
internal static class LanguageServerBuilder
{
    public static HostApplicationBuilder Create(LanguageServerTransport transport, IReadOnlyList<string> configOverrides, Action<ILoggingBuilder>? configureLogging = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = AppContext.BaseDirectory,
            DisableDefaults = true,
        });

        var lspSettings = new LspConfigurationProvider();
        builder.Configuration
            .AddCode4meSources(configOverrides)
            .Add(lspSettings);

        var services = builder.Services;
        services.AddSingleton(transport);
        services.AddSingleton(lspSettings);
        services.AddSingleton(TimeProvider.System);
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);

        // Concrete Bind calls: the configuration binding source generator replaces each with generated code (no reflection at start).
        AddValidated<ServerOptions, ServerOptionsValidator>(services.AddOptions<ServerOptions>().Bind(builder.Configuration.GetSection(ServerOptions.Section)));
        AddValidated<LoggingOptions, LoggingOptionsValidator>(services.AddOptions<LoggingOptions>().Bind(builder.Configuration.GetSection(LoggingOptions.Section)));
        AddValidated<LimitsOptions, LimitsOptionsValidator>(services.AddOptions<LimitsOptions>().Bind(builder.Configuration.GetSection(LimitsOptions.Section)));

        services.AddCode4meCompletion(builder.Configuration);
        services.AddSingleton<IOptionsCheck, OptionsCheck<CompletionOptions>>();
        services.AddSingleton<MemoryReclaimer>();
        services.AddSingleton<IDocumentObserver>(s => s.GetRequiredService<MemoryReclaimer>());

        services.AddCode4meTelemetry(builder.Configuration);
        services.AddSingleton<IOptionsCheck, OptionsCheck<TelemetryOptions>>();
        services.AddCode4meSpool(builder.Configuration);
        services.AddSingleton<IOptionsCheck, OptionsCheck<SpoolOptions>>();
        services.AddCode4meConsent(builder.Configuration);
        services.AddSingleton<IOptionsCheck, OptionsCheck<ConsentOptions>>();
        services.AddSingleton<IOptionsCheck, OptionsCheck<Core.Privacy.SecretOptions>>();
        services.AddSingleton<IShutdownParticipant, TelemetryShutdown>();
        services.AddCode4meChat(builder.Configuration);
        services.AddSingleton<IOptionsCheck, OptionsCheck<Core.Chat.ChatOptions>>();
        if (SpoolServiceCollectionExtensions.ConfiguredDatabase(builder.Configuration) is not null)
        {
            // With a database, chats are kept there (the connecting role must be able to read its user's chats).
            services.AddCode4mePostgresChatStore();
        }

        services.AddSingleton<Rpc.Lifecycle>();
        services.AddSingleton<EditorSession>();
        services.AddSingleton<SessionStart>();
        services.AddSingleton<DocumentStore>();
        services.AddSingleton<ClientChannel>();
        services.AddSingleton<RequestGate>();
        services.AddSingleton<SettingsService>();
        services.AddSingleton<ConfigurationPull>();
        services.AddSingleton<StatusNotifier>();
        services.AddSingleton<ParentProcessWatcher>();
        services.AddSingleton<WorkspaceIndexing>();
        services.AddHostedService<LanguageServerHost>();

        ConfigureLogging(builder, configureLogging);
        return builder;
    }

    /// <summary>Validates a bound options type at start and on every settings change.</summary>
    private static void AddValidated<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TValidator>(OptionsBuilder<TOptions> options)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        options.Services.AddSingleton<IValidateOptions<TOptions>, TValidator>();
        options.Services.AddSingleton<IOptionsCheck, OptionsCheck<TOptions>>();
    }

    private static void ConfigureLogging(HostApplicationBuilder builder, Action<ILoggingBuilder>? configureLogging)
    {
        var levels = new LogLevelSwitch();
        var initial = builder.Configuration.GetSection(LoggingOptions.Section).Get<LoggingOptions>() ?? new LoggingOptions();
        levels.Level = initial.Level;
        levels.ClientLevel = initial.ClientLevel;
        builder.Services.AddSingleton(levels);
        builder.Services.AddHostedService<LogLevelUpdater>();

        var logging = builder.Logging;
        logging.ClearProviders();
        logging.SetMinimumLevel(LogLevel.Trace);
        logging.AddFilter((_, _, level) => level >= levels.Level || level >= levels.ClientLevel);
        if (configureLogging is null)
        {
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
                o.ColorBehavior = LoggerColorBehavior.Disabled;
            });
            logging.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
            logging.AddFilter<ConsoleLoggerProvider>((_, level) => level >= levels.Level);
        }
        else
        {
            configureLogging(logging);
        }

        if (initial.File is { Length: > 0 } file)
        {
            logging.AddProvider(new FileLoggerProvider(file));
            logging.AddFilter<FileLoggerProvider>((_, level) => level >= levels.Level);
        }

        logging.Services.AddSingleton<ILoggerProvider, ClientLoggerProvider>();
        logging.AddFilter<ClientLoggerProvider>(UnsolicitedResponseLog.Category, LogLevel.None);
    }
}
