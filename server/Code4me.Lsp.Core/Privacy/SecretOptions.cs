namespace Code4me.Lsp.Core.Privacy;

/// <summary>
/// Files that are never sent to a model or recorded (section <c>Code4me:Secrets</c>). A pattern without
/// <c>/</c> matches the file name, one with <c>/</c> the whole path; <c>*</c> and <c>?</c> stay within a path
/// segment, <c>**</c> crosses them; matching ignores case.
/// </summary>
public sealed class SecretOptions
{
    public const string Section = "Code4me:Secrets";

    /// <summary>Replaces <see cref="DefaultFilePatterns"/> when set (repeat the defaults to extend them).</summary>
    public string[]? FilePatterns { get; set; }

    public static IReadOnlyList<string> DefaultFilePatterns { get; } =
    [
        ".env", ".env.*", "*.env", ".envrc", "*.pem", "*.key", "*.p12", "*.pfx", "*.jks", "*.keystore", "*.kdbx",
        "id_rsa*", "id_dsa*", "id_ecdsa*", "id_ed25519*", "credentials*", "*.credentials", ".netrc", ".pgpass",
        ".npmrc", ".pypirc", ".git-credentials", "secrets.*", "*.secret", "*.secrets", "**/.aws/**", "**/.ssh/**",
        "**/.docker/config.json", "*.tfstate", "*.tfvars",
    ];

    internal IReadOnlyList<string> EffectiveFilePatterns => FilePatterns is { Length: > 0 } p ? p : DefaultFilePatterns;
}
