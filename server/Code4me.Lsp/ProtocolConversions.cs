using Code4me.Lsp.Core;
using Code4me.Lsp.Core.Chat;
using Code4me.Lsp.Core.Completion;
using Code4me.Lsp.Core.Documents;
using Code4me.Lsp.Core.Privacy;
using Code4me.Lsp.Protocol;

namespace Code4me.Lsp;

/// <summary>The only place where protocol types become Core types and back (positions, encodings, URIs).</summary>
internal static class ProtocolConversions
{
    /// <summary>Picks the client's most preferred encoding among those the server supports; UTF-16 when none is offered.</summary>
    public static (PositionEncoding Encoding, string Name) NegotiateEncoding(string[]? offered)
    {
        foreach (var name in offered ?? [])
        {
            switch (name)
            {
                case PositionEncodingKind.Utf16:
                    return (PositionEncoding.Utf16, name);
                case PositionEncodingKind.Utf8:
                    return (PositionEncoding.Utf8, name);
                case PositionEncodingKind.Utf32:
                    return (PositionEncoding.Utf32, name);
            }
        }

        return (PositionEncoding.Utf16, PositionEncodingKind.Utf16);
    }

    public static DocumentChange ToDocumentChange(TextDocumentContentChangeEvent change) =>
        new(change.Range is { } r ? new LineRange(r.Start.Line, r.Start.Character, r.End.Line, r.End.Character) : null, change.Text);

    public static int ToOffset(TextDocument document, Position position, PositionEncoding encoding) =>
        document.GetOffset(position.Line, position.Character, encoding);

    public static Position ToPosition(TextDocument document, int offset, PositionEncoding encoding)
    {
        var (line, character) = document.GetPosition(offset, encoding);
        return new Position { Line = line, Character = character };
    }

    /// <summary><c>code4me/documentState</c>: what the server holds of a document, with the SHA-256 of its text.</summary>
    public static DocumentState ToDocumentState(TextDocument document) => new()
    {
        Uri = document.Uri,
        LanguageId = document.LanguageId,
        Version = document.Version,
        Length = document.Text.Length,
        LineCount = document.Text.LineCount,
        Sha256 = TextHash.Sha256(document.Text),
    };

    /// <summary><c>code4me/status</c>: the completion state, whether telemetry consent is on, and each unreachable model's error.</summary>
    public static StatusParams ToStatus(CompletionState state, bool consent, IEnumerable<KeyValuePair<string, string>> unreachable)
    {
        var message = string.Join("; ", unreachable.Select(p => $"{p.Key}: {p.Value}"));
        return new StatusParams
        {
            State = state switch
            {
                CompletionState.Thinking => "thinking",
                CompletionState.Unreachable => "unreachable",
                _ => "ready",
            },
            Consent = consent,
            Message = message.Length == 0 ? null : message,
        };
    }

    /// <summary>A <c>file://</c> URI as a local path; other schemes are kept as they are.</summary>
    public static string ToPath(string uri)
    {
        if (uri.Length == 0)
        {
            throw new InvalidInputException("A document or folder URI is empty.");
        }

        return DocumentPaths.FromUri(uri);
    }
    /// <summary>A chat or query id from the wire; anything that is not a UUID is InvalidParams.</summary>
    public static Guid ToChatId(string id) =>
        Guid.TryParse(id, out var guid) ? guid : throw new InvalidInputException($"'{id}' is not a chat or query id (a UUID).");

    /// <summary>The chat request with its code context, read from the document snapshot (call before any await).</summary>
    /// <summary>
    /// The chat request with its code context. Secret files (<see cref="SecretFileMatcher"/>) are never part of it, neither
    /// as the current file nor as another open file; the code text that is sent has secrets redacted, as the completion
    /// prompt does. The message itself is sent as typed.
    /// </summary>
    public static ChatRequest ToChatRequest(ChatParams request, DocumentStore documents, PositionEncoding encoding, SecretFileMatcher secretFiles)
    {
        ChatCodeContext? code = null;
        if (request.TextDocument is { } identifier)
        {
            var document = documents.Get(identifier.Uri);
            string? selected = null;
            if (request.Range is { } range)
            {
                var start = ToOffset(document, range.Start, encoding);
                var end = ToOffset(document, range.End, encoding);
                if (end < start)
                {
                    throw new InvalidInputException("range.end is before range.start.");
                }

                selected = document.Text.GetText(start, end - start);
            }

            var others = documents.All.Where(d => d.Uri != document.Uri && !secretFiles.IsSecret(d.Uri))
                .Select(d => (ToPath(d.Uri), SecretRedactor.Redact(d.Text.ToString())!)).ToList();
            code = secretFiles.IsSecret(document.Uri)
                ? null
                : new ChatCodeContext(ToPath(document.Uri), document.LanguageId, SecretRedactor.Redact(document.Text.ToString())!, SecretRedactor.Redact(selected), others);
        }

        return new ChatRequest(request.ChatId is { } id ? ToChatId(id) : null, request.Message, code, request.WebEnabled ?? false);
    }

    public static ChatResult ToChatResult(ChatReply reply) => new()
    {
        ChatId = reply.ChatId.ToString(),
        QueryId = reply.QueryId.ToString(),
        Reply = reply.Reply,
        Model = reply.Model,
        Usage = new ChatUsage { PromptTokens = reply.PromptTokens, CompletionTokens = reply.CompletionTokens, Estimated = reply.UsageEstimated, Cost = reply.Cost },
        TruncatedTurns = reply.DroppedTurns,
        ContextOptimization = reply.Optimization?.Kind switch
        {
            ChatContextStrategy.Truncate => "truncation",
            ChatContextStrategy.Summarize => "summarization",
            _ => null,
        },
    };

    public static ChatList ToChatList(ChatPage page) => new()
    {
        Chats = [.. page.Chats.Select(c => new ChatSummary { ChatId = c.ChatId.ToString(), Title = c.Title, CreatedAt = c.CreatedAt })],
        NextPage = page.NextPage,
    };

    public static ChatHistory ToChatHistory(ChatRecord chat, IReadOnlyList<ChatExchange> exchanges) => new()
    {
        ChatId = chat.ChatId.ToString(),
        Title = chat.Title,
        CreatedAt = chat.CreatedAt,
        Model = chat.Model,
        Provider = chat.Provider,
        ContextWindowTokens = chat.ContextWindowTokens,
        Messages = [.. exchanges.SelectMany(e => new[]
        {
            new ChatHistoryMessage { QueryId = e.QueryId.ToString(), Role = "user", Content = e.Message, Timestamp = e.Timestamp },
            new ChatHistoryMessage
            {
                QueryId = e.QueryId.ToString(),
                Role = "assistant",
                Content = e.Reply,
                Timestamp = e.Timestamp,
                Outcome = e.Outcome.ToString().ToLowerInvariant(),
                IsMistake = e.IsMistake,
                MistakeNote = e.MistakeNote,
            },
        })],
    };
}
