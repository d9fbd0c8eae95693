using System.Buffers;
using AiCostGuard.PostgreSql.Tests.Infrastructure;
using FsCheck;
using FsCheck.Fluent;
using Npgsql;
using NpgsqlTypes;

namespace AiCostGuard.PostgreSql.Tests;

/// <summary>The ledger's own binary encoding of numerics, timestamps, intervals and text stores what Npgsql's would.</summary>
public sealed class BinaryCopyEncoderTests(PostgreSqlServer server) : IClassFixture<PostgreSqlServer>
{
    private static readonly DateTimeOffset Earliest = new(1990, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Values_encoded_by_the_ledger_equal_those_Npgsql_stores()
    {
        string connection = await server.CreateDatabaseAsync();
        await using var dataSource = NpgsqlDataSource.Create(connection);
        await using (NpgsqlCommand create = dataSource.CreateCommand("CREATE TABLE v (i int, n numeric, t timestamptz, d interval, s text); CREATE TABLE e (i int, n numeric, t timestamptz, d interval, s text)"))
        {
            await create.ExecuteNonQueryAsync();
        }

        Gen<decimal> decimals = Gen.Choose(0, 28).SelectMany(scale => ArbMap.Default.GeneratorFor<long>().SelectMany(low => ArbMap.Default.GeneratorFor<int>().SelectMany(high => ArbMap.Default.GeneratorFor<bool>().Select(negative => new decimal((int)low, (int)(low >> 32), high, negative, (byte)scale)))));
        Gen<DateTimeOffset> times = Gen.Choose(0, int.MaxValue).Select(seconds => Earliest.AddSeconds(seconds / 4.0).AddTicks(seconds % 7919));
        Gen<TimeSpan> durations = ArbMap.Default.GeneratorFor<int>().Select(ms => TimeSpan.FromMilliseconds(ms * 97.0).Add(TimeSpan.FromTicks(ms % 10_007)));
        Gen<string> texts = ArbMap.Default.GeneratorFor<string>().Select(s => s ?? string.Empty).Where(s => !s.Any(char.IsSurrogate));
        Gen<(decimal, DateTimeOffset, TimeSpan, string)[]> rows = decimals.SelectMany(n => times.SelectMany(t => durations.SelectMany(d => texts.Select(s => (n, t, d, s))))).ArrayOf(50);

        foreach ((decimal N, DateTimeOffset T, TimeSpan D, string S)[] sample in rows.Sample(20).Append([(0m, DateTimeOffset.MinValue, TimeSpan.Zero, "nul\0here"), (-0.00m, DateTimeOffset.MaxValue, TimeSpan.MaxValue / 1000, "é€𝄞")]))
        {
            await using (NpgsqlCommand clear = dataSource.CreateCommand("TRUNCATE v, e"))
            {
                await clear.ExecuteNonQueryAsync();
            }

            await using (NpgsqlConnection c = await dataSource.OpenConnectionAsync())
            {
                await using (NpgsqlRawCopyStream copy = await c.BeginRawBinaryCopyAsync("COPY v (i, n, t, d, s) FROM STDIN (FORMAT BINARY)"))
                {
                    var buffer = new ArrayBufferWriter<byte>();
                    BinaryCopyEncoder.WriteHeader(buffer);
                    for (int i = 0; i < sample.Length; i++)
                    {
                        Row(buffer, i, sample[i]);
                    }

                    BinaryCopyEncoder.WriteTrailer(buffer);
                    await copy.WriteAsync(buffer.WrittenMemory);
                }

                await using NpgsqlBinaryImporter importer = await c.BeginBinaryImportAsync("COPY e (i, n, t, d, s) FROM STDIN (FORMAT BINARY)");
                for (int i = 0; i < sample.Length; i++)
                {
                    await importer.StartRowAsync();
                    await importer.WriteAsync(i, NpgsqlDbType.Integer);
                    await importer.WriteAsync(sample[i].N, NpgsqlDbType.Numeric);
                    await importer.WriteAsync(sample[i].T.UtcDateTime, NpgsqlDbType.TimestampTz);
                    await importer.WriteAsync(sample[i].D, NpgsqlDbType.Interval);
                    await importer.WriteAsync(sample[i].S.Replace('\0', '\uFFFD'), NpgsqlDbType.Text);
                }

                await importer.CompleteAsync();
            }

            // Compared as PostgreSQL prints them: a numeric's display scale included.
            await using NpgsqlCommand differ = dataSource.CreateCommand("SELECT count(*) FROM v FULL JOIN e USING (i) WHERE v.n::text IS DISTINCT FROM e.n::text OR v.t IS DISTINCT FROM e.t OR v.d::text IS DISTINCT FROM e.d::text OR v.s IS DISTINCT FROM e.s");
            Assert.Equal(0L, (long)(await differ.ExecuteScalarAsync())!);
        }
    }

    private static void Row(ArrayBufferWriter<byte> buffer, int i, (decimal N, DateTimeOffset T, TimeSpan D, string S) row)
    {
        System.Buffers.Binary.BinaryPrimitives.WriteInt16BigEndian(buffer.GetSpan(2), 5);
        buffer.Advance(2);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(buffer.GetSpan(4), 4);
        buffer.Advance(4);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(buffer.GetSpan(4), i);
        buffer.Advance(4);
        BinaryCopyEncoder.Numeric(buffer, row.N);
        BinaryCopyEncoder.Timestamp(buffer, row.T);
        BinaryCopyEncoder.Interval(buffer, row.D);
        BinaryCopyEncoder.Text(buffer, row.S);
    }
}
