using System.Text.RegularExpressions;

namespace Code4me.Lsp.Storage.Postgres.Users;

/// <summary>
/// Code4me V2's account rules: the password pattern <c>^(?=.*[A-Z])(?=.*[a-z])(?=.*\d)\S{8,}$</c>
/// (an upper-case and a lower-case ASCII letter, a digit, at least 8 characters, no white space)
/// and an e-mail check in the spirit of its <c>EmailStr</c>: one <c>@</c>, a dot-atom local part of
/// at most 64 characters, a domain of at least two DNS labels ending in a letter label (<c>a@b.c</c> is an address; no
/// rule here can know which top-level domains exist), 254 in all.
/// </summary>
internal static partial class UserRules
{
    public const string PasswordRuleText =
        "at least 8 characters without spaces, with an upper-case letter, a lower-case letter and a digit";

    public static bool IsValidPassword(string password) => Password().IsMatch(password);

    public static bool IsValidEmail(string email)
    {
        if (email.Length > 254)
        {
            return false;
        }

        var at = email.LastIndexOf('@');
        return at is > 0 and <= 64 && LocalPart().IsMatch(email[..at]) && Domain().IsMatch(email[(at + 1)..]);
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first rule broken.</summary>
    public static void Validate(string email, string name, string password)
    {
        if (!IsValidEmail(email))
        {
            throw new ArgumentException($"'{email}' is not a valid e-mail address.", nameof(email));
        }

        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("The name must not be empty.", nameof(name));
        }

        if (!IsValidPassword(password))
        {
            // Never echo the password.
            throw new ArgumentException($"The password does not follow the rule: {PasswordRuleText}.", nameof(password));
        }
    }

    [GeneratedRegex(@"^(?=.*[A-Z])(?=.*[a-z])(?=.*\d)\S{8,}$", RegexOptions.CultureInvariant)]
    private static partial Regex Password();

    [GeneratedRegex(@"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*\z", RegexOptions.CultureInvariant)]
    private static partial Regex LocalPart();

    [GeneratedRegex(@"^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{1,63}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Domain();
}
