using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;

namespace AiCostGuard.PostgreSql;

/// <summary>
/// Encodes ledger rows in PostgreSQL's binary <c>COPY</c> format straight into a reused buffer: every value in its wire
/// form (uuids, timestamps, intervals, numerics, jsonb), UTF-8 text without an intermediate string, enum names encoded
/// once per value. The ledger's writer sends the buffer over a raw <c>COPY ... FROM STDIN (FORMAT BINARY)</c> stream.
/// </summary>
/// <remarks>
/// Values are encoded as Npgsql encodes them (a test checks each kind against it): timestamps in microseconds since
/// 2000-01-01 UTC, truncated, with <see cref="DateTime.MinValue"/> and <see cref="DateTime.MaxValue"/> as
/// <c>-infinity</c> and <c>infinity</c>; intervals as days and microseconds; numerics in base 10,000 with the decimal's
/// scale as their display scale, so a cost reads back with the digits it was written with.
/// </remarks>
internal static class BinaryCopyEncoder
{
    private const long PostgresEpochTicks = 630_822_816_000_000_000; // 2000-01-01T00:00:00Z
    private const short CallFields = 47;
    private const short OutcomeFields = 14;
    private const short EnvelopeStepFields = 9;

    // "PGCOPY\n\xff\r\n\0": bytes, not a string, as 0xFF is no UTF-8.
    private static ReadOnlySpan<byte> Signature => [0x50, 0x47, 0x43, 0x4F, 0x50, 0x59, 0x0A, 0xFF, 0x0D, 0x0A, 0x00];

    private static ReadOnlySpan<byte> HexDigits => "0123456789abcdef"u8;

    /// <summary>The file header: signature, flags, no header extension.</summary>
    public static void WriteHeader(IBufferWriter<byte> w)
    {
        Span<byte> span = w.GetSpan(19);
        Signature.CopyTo(span);
        BinaryPrimitives.WriteInt32BigEndian(span[11..], 0);
        BinaryPrimitives.WriteInt32BigEndian(span[15..], 0);
        w.Advance(19);
    }

    /// <summary>The file trailer.</summary>
    public static void WriteTrailer(IBufferWriter<byte> w)
    {
        BinaryPrimitives.WriteInt16BigEndian(w.GetSpan(2), -1);
        w.Advance(2);
    }

    /// <summary>A row of <c>{schema}.calls</c>, in <see cref="PostgreSqlLedgerSchema.CallColumns"/> order.</summary>
    public static void WriteCall(IBufferWriter<byte> w, Guid id, in CostRecord r)
    {
        Int16(w, CallFields);
        Uuid(w, id);
        Timestamp(w, r.Timestamp);
        Interval(w, r.Duration);
        Attribution(w, r.Attribution, r.ScopeName, r.ScopeId);
        Text(w, r.ModelId);
        Text(w, r.RequestedModelId);
        Text(w, r.Provider);
        Bool(w, r.IsStreaming);
        Int64(w, r.InputTokens);
        Int64(w, r.CachedInputTokens);
        Int64(w, r.CacheWriteTokens);
        Int64(w, r.OutputTokens);
        Int64(w, r.ReasoningTokens);
        Int64(w, r.EstimatedInputTokens);
        Name(w, r.EstimatePrecision);
        Numeric(w, r.Cost);
        Name(w, r.CostSource);
        Name(w, r.Decision);
        Name(w, r.LimitKind);

        Text(w, r.LimitBudget);
        Int64(w, r.MaximumOutputTokens);
        Text(w, r.RefusalReason);
        Int32(w, r.Attempt);
        Name(w, r.Outcome);
        Text(w, r.ServiceTier);
        Name(w, r.PricingNotes);
        if (r.TraceId == default)
        {
            Null(w);
        }
        else
        {
            Span<byte> raw = stackalloc byte[16];
            r.TraceId.CopyTo(raw);
            Hex(w, raw);
        }

        if (r.SpanId == default)
        {
            Null(w);
        }
        else
        {
            Span<byte> raw = stackalloc byte[8];
            r.SpanId.CopyTo(raw);
            Hex(w, raw);
        }

        if (r.CostParts is { } parts)
        {
            Numeric(w, parts.UncachedInput);
            Numeric(w, parts.CachedInput);
            Numeric(w, parts.CacheWrite);
            Numeric(w, parts.Output);
            Numeric(w, parts.Reasoning);
            Numeric(w, parts.AudioAndImage);
            Numeric(w, parts.RequestFee);
        }
        else
        {
            Span<byte> span = w.GetSpan(7 * 4);
            span[..(7 * 4)].Fill(0xFF);
            w.Advance(7 * 4);
        }

        Text(w, r.PolicyName);
        Text(w, r.BudgetTier);
        Name(w, r.Kind);
        Numeric(w, r.AvoidedCost);
    }

    /// <summary>A row of <c>{schema}.envelope_steps</c>, in <see cref="PostgreSqlLedgerSchema.EnvelopeStepColumns"/> order.</summary>
    public static void WriteEnvelopeStep(IBufferWriter<byte> w, Guid id, EnvelopeStep s)
    {
        Int16(w, EnvelopeStepFields);
        Uuid(w, id);
        Timestamp(w, s.Time);
        Text(w, s.Envelope);
        Text(w, s.Key);
        Name(w, s.Change);
        Numeric(w, s.Ceiling);
        Numeric(w, s.Spent);
        Int32(w, s.Successes);
        Numeric(w, s.CostPerSuccess);
    }

    /// <summary>A row of <c>{schema}.outcomes</c>, in <see cref="PostgreSqlLedgerSchema.OutcomeColumns"/> order.</summary>
    public static void WriteOutcome(IBufferWriter<byte> w, Guid id, in OutcomeRecord o)
    {
        Int16(w, OutcomeFields);
        Uuid(w, id);
        Timestamp(w, o.Timestamp);
        Attribution(w, o.Attribution, o.ScopeName, o.ScopeId);
        Text(w, o.Name ?? string.Empty);
        Bool(w, o.IsSuccess);
        Numeric(w, o.Value);
    }

    internal static void Timestamp(IBufferWriter<byte> w, DateTimeOffset time)
    {
        long ticks = time.UtcTicks;
        long microseconds = ticks == DateTime.MinValue.Ticks ? long.MinValue
            : ticks == DateTime.MaxValue.Ticks ? long.MaxValue
            : (ticks - PostgresEpochTicks) / 10;
        Span<byte> span = w.GetSpan(12);
        BinaryPrimitives.WriteInt32BigEndian(span, 8);
        BinaryPrimitives.WriteInt64BigEndian(span[4..], microseconds);
        w.Advance(12);
    }

    internal static void Interval(IBufferWriter<byte> w, TimeSpan value)
    {
        Span<byte> span = w.GetSpan(20);
        BinaryPrimitives.WriteInt32BigEndian(span, 16);
        BinaryPrimitives.WriteInt64BigEndian(span[4..], (value.Ticks - (TimeSpan.TicksPerDay * value.Days)) / 10);
        BinaryPrimitives.WriteInt32BigEndian(span[12..], value.Days);
        BinaryPrimitives.WriteInt32BigEndian(span[16..], 0);
        w.Advance(20);
    }

    /// <summary>A numeric: sign, weight and display scale, then the value's base-10,000 digits without trailing zero digits.</summary>
    internal static void Numeric(IBufferWriter<byte> w, decimal? value)
    {
        if (value is { } set)
        {
            Numeric(w, set);
        }
        else
        {
            Null(w);
        }
    }

    internal static void Numeric(IBufferWriter<byte> w, decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        int scale = (bits[3] >> 16) & 0xFF;
        bool negative = bits[3] < 0;
        UInt128 magnitude = ((UInt128)(uint)bits[2] << 64) | ((UInt128)(uint)bits[1] << 32) | (uint)bits[0];

        // Align the fraction to whole base-10,000 digits: 28 decimal places at most make 7 of them.
        int pad = (4 - (scale % 4)) % 4;
        for (int i = 0; i < pad; i++)
        {
            magnitude *= 10;
        }

        int fractionDigits = (scale + pad) / 4;

        // Below 2^96 × 1,000 < 10,000^8: eight base-10,000 digits at most, least significant first.
        Span<short> digits = stackalloc short[8];
        int count = 0;
        while (magnitude != 0)
        {
            (magnitude, UInt128 digit) = UInt128.DivRem(magnitude, 10_000);
            digits[count++] = (short)digit;
        }

        int trailing = 0;
        while (trailing < count && digits[trailing] == 0)
        {
            trailing++;
        }

        int written = count - trailing;
        short weight = (short)(written == 0 ? 0 : count - 1 - fractionDigits);
        int length = 8 + (2 * written);
        Span<byte> span = w.GetSpan(4 + length);
        BinaryPrimitives.WriteInt32BigEndian(span, length);
        BinaryPrimitives.WriteInt16BigEndian(span[4..], (short)written);
        BinaryPrimitives.WriteInt16BigEndian(span[6..], weight);
        BinaryPrimitives.WriteUInt16BigEndian(span[8..], (ushort)(negative && written > 0 ? 0x4000 : 0));
        BinaryPrimitives.WriteInt16BigEndian(span[10..], (short)scale);
        for (int i = 0; i < written; i++)
        {
            BinaryPrimitives.WriteInt16BigEndian(span[(12 + (2 * i))..], digits[count - 1 - i]);
        }

        w.Advance(4 + length);
    }

    /// <summary>
    /// UTF-8 text. PostgreSQL text cannot hold U+0000, and one such character would fail its whole batch on every retry;
    /// a model id or refusal reason carrying one is stored with U+FFFD in its place.
    /// </summary>
    internal static void Text(IBufferWriter<byte> w, string? value)
    {
        if (value is null)
        {
            Null(w);
            return;
        }

        if (value.Contains('\0', StringComparison.Ordinal))
        {
            value = value.Replace('\0', '\uFFFD');
        }

        Span<byte> span = w.GetSpan(4 + Encoding.UTF8.GetMaxByteCount(value.Length));
        int length = Encoding.UTF8.GetBytes(value, span[4..]);
        BinaryPrimitives.WriteInt32BigEndian(span, length);
        w.Advance(4 + length);
    }

    private static void Attribution(IBufferWriter<byte> w, CostAttribution? a, string? scopeName, string? scopeId)
    {
        Text(w, a?.Tenant);
        Text(w, a?.Team);
        Text(w, a?.Feature);
        Text(w, a?.User);
        Text(w, a?.CostCenter);
        Text(w, a?.Environment);
        if (a is { Tags.Count: > 0 })
        {
            var json = new ArrayBufferWriter<byte>(256);
            using (var writer = new Utf8JsonWriter(json))
            {
                writer.WriteStartObject();
                foreach (KeyValuePair<string, string> tag in a.Tags)
                {
                    writer.WriteString(tag.Key, tag.Value);
                }

                writer.WriteEndObject();
            }

            // jsonb's binary form: a version byte, then the JSON text.
            Span<byte> span = w.GetSpan(5 + json.WrittenCount);
            BinaryPrimitives.WriteInt32BigEndian(span, json.WrittenCount + 1);
            span[4] = 1;
            json.WrittenSpan.CopyTo(span[5..]);
            w.Advance(5 + json.WrittenCount);
        }
        else
        {
            Null(w);
        }

        Text(w, scopeName);
        Text(w, scopeId);
    }

    private static void Name<T>(IBufferWriter<byte> w, T? value)
        where T : struct, Enum
    {
        if (value is { } set)
        {
            Name(w, set);
        }
        else
        {
            Null(w);
        }
    }

    private static void Name<T>(IBufferWriter<byte> w, T value)
        where T : struct, Enum
    {
        byte[] utf8 = EnumNames<T>.Get(value);
        Span<byte> span = w.GetSpan(4 + utf8.Length);
        BinaryPrimitives.WriteInt32BigEndian(span, utf8.Length);
        utf8.CopyTo(span[4..]);
        w.Advance(4 + utf8.Length);
    }

    private static void Hex(IBufferWriter<byte> w, ReadOnlySpan<byte> raw)
    {
        Span<byte> span = w.GetSpan(4 + (2 * raw.Length));
        BinaryPrimitives.WriteInt32BigEndian(span, 2 * raw.Length);
        for (int i = 0; i < raw.Length; i++)
        {
            span[4 + (2 * i)] = HexDigits[raw[i] >> 4];
            span[5 + (2 * i)] = HexDigits[raw[i] & 0xF];
        }

        w.Advance(4 + (2 * raw.Length));
    }

    private static void Uuid(IBufferWriter<byte> w, Guid id)
    {
        Span<byte> span = w.GetSpan(20);
        BinaryPrimitives.WriteInt32BigEndian(span, 16);
        id.TryWriteBytes(span[4..], bigEndian: true, out _);
        w.Advance(20);
    }

    private static void Bool(IBufferWriter<byte> w, bool value)
    {
        Span<byte> span = w.GetSpan(5);
        BinaryPrimitives.WriteInt32BigEndian(span, 1);
        span[4] = value ? (byte)1 : (byte)0;
        w.Advance(5);
    }

    private static void Int16(IBufferWriter<byte> w, short value)
    {
        BinaryPrimitives.WriteInt16BigEndian(w.GetSpan(2), value);
        w.Advance(2);
    }

    private static void Int32(IBufferWriter<byte> w, int value)
    {
        Span<byte> span = w.GetSpan(8);
        BinaryPrimitives.WriteInt32BigEndian(span, 4);
        BinaryPrimitives.WriteInt32BigEndian(span[4..], value);
        w.Advance(8);
    }

    private static void Int64(IBufferWriter<byte> w, long value)
    {
        Span<byte> span = w.GetSpan(12);
        BinaryPrimitives.WriteInt32BigEndian(span, 8);
        BinaryPrimitives.WriteInt64BigEndian(span[4..], value);
        w.Advance(12);
    }

    private static void Null(IBufferWriter<byte> w)
    {
        BinaryPrimitives.WriteInt32BigEndian(w.GetSpan(4), -1);
        w.Advance(4);
    }

    /// <summary>Each enum value's name (flags combined as <see cref="Enum.ToString()"/> writes them) in UTF-8, made once.</summary>
    private static class EnumNames<T>
        where T : struct, Enum
    {
        private static readonly ConcurrentDictionary<T, byte[]> Names = new();

        public static byte[] Get(T value) => Names.TryGetValue(value, out byte[]? name) ? name : Names.GetOrAdd(value, v => Encoding.UTF8.GetBytes(v.ToString()));
    }
}
