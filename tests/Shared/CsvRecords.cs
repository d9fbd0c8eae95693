using System.Text;

namespace AiCostGuard.Tests.Shared;

/// <summary>An RFC 4180 reader for the tests: quoted fields may hold commas, doubled quotes and line breaks; rows end at a line feed outside quotes.</summary>
internal static class CsvRecords
{
    public static List<Dictionary<string, string>> Parse(string csv)
    {
        var records = new List<List<string>>();
        var field = new StringBuilder();
        var record = new List<string>();
        bool quoted = false;
        for (int i = 0; i < csv.Length; i++)
        {
            char c = csv[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < csv.Length && csv[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                record.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\n')
            {
                record.Add(field.ToString());
                field.Clear();
                records.Add(record);
                record = [];
            }
            else if (c != '\r' || i + 1 >= csv.Length || csv[i + 1] != '\n')
            {
                // A CR outside quotes that does not end a row would split it in a spreadsheet: keep it visible in the field.
                field.Append(c);
            }
        }

        List<string> header = records[0];
        return [.. records.Skip(1).Select(r =>
        {
            Assert.Equal(header.Count, r.Count);
            return header.Zip(r).ToDictionary(p => p.First, p => p.Second);
        })];
    }
}
