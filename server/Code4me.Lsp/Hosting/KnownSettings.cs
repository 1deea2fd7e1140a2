using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Code4me.Lsp.Core.Chat;
using Code4me.Lsp.Core.Completion;
using Code4me.Lsp.Core.Privacy;
using Code4me.Lsp.Core.Telemetry;
using Code4me.Lsp.Storage.Spool;
using Microsoft.Extensions.Configuration;

namespace Code4me.Lsp.Hosting;

/// <summary>
/// Every key under <c>Code4me:</c> that some options type binds, read off the options types themselves (their settable
/// properties, nested types and list items), so a new setting is known the moment it exists. A key nobody binds is a
/// mistyped setting that would otherwise be ignored without a word (<c>Code4me:Completion:Modls:0:Name</c>): it gets a
/// warning naming the closest known key.
/// </summary>
internal static class KnownSettings
{
    private static readonly Node s_root = Build();

    /// <summary>One warning per key of <paramref name="configuration"/> under <c>Code4me:</c> that no setting binds.</summary>
    public static IReadOnlyList<string> Unknown(IConfiguration configuration) =>
        Unknown(configuration.AsEnumerable().Where(pair => pair.Value is not null).Select(pair => pair.Key));

    /// <summary>One warning per key in <paramref name="keys"/> under <c>Code4me:</c> that no setting binds.</summary>
    public static IReadOnlyList<string> Unknown(IEnumerable<string> keys)
    {
        var warnings = new List<string>();
        var reported = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var key in keys)
        {
            var segments = key.Split(':');
            if (!segments[0].Equals("Code4me", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var node = s_root;
            for (var i = 1; i < segments.Length && node is not null; i++)
            {
                if (node.Item is { } item && int.TryParse(segments[i], out _))
                {
                    node = item;
                    continue;
                }

                if (node.Children.TryGetValue(segments[i], out var child))
                {
                    node = child;
                    continue;
                }

                var unknown = string.Join(':', segments.Take(i + 1));
                if (reported.Add(unknown))
                {
                    var known = string.Join(':', segments.Take(i));
                    var closest = Closest(segments[i], node.Children.Keys);
                    warnings.Add(closest is null
                        ? $"unknown setting {unknown} (ignored); {known} has {string.Join(", ", node.Children.Keys.Order(StringComparer.Ordinal))}."
                        : $"unknown setting {unknown} (ignored); did you mean {known}:{closest}?");
                }

                node = null;
            }
        }

        return warnings;
    }

    private static Node Build()
    {
        // Each options type under the section it is bound from (its own constant, so the two cannot drift apart).
        var root = new Node();
        Add(root, ServerOptions.Section, typeof(ServerOptions));
        Add(root, LoggingOptions.Section, typeof(LoggingOptions));
        Add(root, LimitsOptions.Section, typeof(LimitsOptions));
        Add(root, CompletionOptions.SectionName, typeof(CompletionOptions));
        Add(root, TelemetryOptions.Section, typeof(TelemetryOptions));
        Add(root, ConsentOptions.Section, typeof(ConsentOptions));
        Add(root, SpoolOptions.Section, typeof(SpoolOptions));
        Add(root, SecretOptions.Section, typeof(SecretOptions));
        Add(root, ChatOptions.SectionName, typeof(ChatOptions));
        At(root, SpoolServiceCollectionExtensions.DatabaseKey);
        At(root, SpoolServiceCollectionExtensions.AuthTokenKey);
        return root;
    }

    /// <summary>The node of <paramref name="key"/> (<c>Code4me:A:B</c>) below the root, made where missing.</summary>
    private static Node At(Node root, string key) => key.Split(':').Skip(1).Aggregate(root, (node, name) => node.Child(name));

    private static void Add(Node root, string section, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] Type type) =>
        Describe(At(root, section), type);

    private static void Describe(Node node, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] Type type)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.GetSetMethod() is not null))
        {
            var child = node.Child(property.Name);
            var value = property.PropertyType;
            var item = value.IsArray ? value.GetElementType()
                : value.IsGenericType && value.GetGenericTypeDefinition() == typeof(List<>) ? value.GetGenericArguments()[0]
                : null;
            if (item is not null)
            {
                child.Item = new Node();
                if (IsComposite(item))
                {
                    Describe(child.Item, Nested(item));
                }
            }
            else if (IsComposite(value))
            {
                Describe(child, Nested(value));
            }
        }
    }

    /// <summary>
    /// An options type nested in another (a property or a list item), named here so that its properties are kept in a
    /// trimmed or Native AOT build. One not named fails the first use of <see cref="KnownSettings"/>, in every test.
    /// </summary>
    [return: DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)]
    private static Type Nested(Type type) =>
        type == typeof(CompletionModelOptions) ? typeof(CompletionModelOptions)
        : type == typeof(OfflineModelOptions) ? typeof(OfflineModelOptions)
        : throw new InvalidOperationException($"{type.FullName} is an options type nested in another: name it in {nameof(KnownSettings)}.{nameof(Nested)}.");

    private static bool IsComposite(Type type) =>
        type.IsClass && type != typeof(string) && Nullable.GetUnderlyingType(type) is null;

    /// <summary>The candidate nearest to <paramref name="name"/> (case aside), when it is near enough to be a typo of it.</summary>
    internal static string? Closest(string name, IEnumerable<string> candidates)
    {
        var best = candidates.Select(c => (Candidate: c, Distance: Distance(name.ToUpperInvariant(), c.ToUpperInvariant())))
            .OrderBy(c => c.Distance).FirstOrDefault();
        return best.Candidate is not null && best.Distance <= Math.Max(2, best.Candidate.Length / 3) ? best.Candidate : null;
    }

    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }

    private sealed class Node
    {
        public Dictionary<string, Node> Children { get; } = new(StringComparer.OrdinalIgnoreCase);

        /// <summary>For a list or array setting: what each numbered item holds.</summary>
        public Node? Item { get; set; }

        public Node Child(string name)
        {
            if (!Children.TryGetValue(name, out var child))
            {
                Children[name] = child = new Node();
            }

            return child;
        }
    }
}
