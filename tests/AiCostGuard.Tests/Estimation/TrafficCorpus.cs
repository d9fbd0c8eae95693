using System.Globalization;
using System.Text;

namespace AiCostGuard.Tests.Estimation;

/// <summary>
/// Generated chat traffic of many kinds (English prose and chat, code, JSON, numeric tables, German, French, Chinese,
/// Japanese, mixed, and adversarial text: alternating scripts, long digit runs, emoji), deterministic for a seed. The
/// word lists are written for these tests; no text is taken from elsewhere.
/// </summary>
internal sealed class TrafficCorpus(int seed)
{
    public static readonly string[] Kinds = ["english", "chat", "code", "json", "table", "german", "french", "chinese", "japanese", "mixed", "adversarial"];

    private static readonly string[] English = Words(
        "the of and to in is that it for was on are as with his they at be this from have or by one had not but what all were when we there can an your which their said if do will each about how up out them then she many some so these would other into has more her two like him see time could no make than first been its who now people my made over did down only way find use may water long little very after words called just where most know get through back much before go good new write our used me man too any day same right look think also around another came come work three word must because does part even place well such here take why things help put years different away again off went old number great tell men say small every found still between name should home big give air line set own under read last never us left end along while might next sound below saw something thought both few those always looked show large often together asked house world going want school important until form food keep children feet land side without boy once animals life enough took sometimes four head above kind began almost live page got earth need far hand high year mother light country father let night following picture being study second eyes soon times story boys since white days ever paper hard near sentence better best across during today others however sure means knew try told young miles sun ways thing whole hear example heard several change answer room sea against top turned learn point city play toward five using himself usually "
        + "infrastructure reconciliation photosynthesis quarterly throughput latency idempotent serialization heterogeneous deprecation asynchronous authentication kubernetes microservice procurement amortization depreciation counterparty jurisprudence");

    private static readonly string[] German = Words(
        "der die das und ist nicht ein eine zu den mit von sich auch auf für es im dem wir sie ich werden wird bei oder aus nach wie noch über so zum nur hat man aber schon vor durch wenn sein kann mehr Jahr Zeit Menschen heute immer wieder gegen zwischen unter während Straße Größe Grüße Mädchen müssen können würde hätte Bahnhof Fahrkarte Rechnung Überweisung Gesellschaft Bundesregierung Arbeitsplatz Wirtschaftsprüfung Datenschutzgrundverordnung Kraftfahrzeughaftpflichtversicherung Geschäftsführer Verantwortung Entwicklung Öffentlichkeit Abrechnungszeitraum Kostenstelle Haushaltsplan ausführlich selbstverständlich gemäß übermäßig Änderung Äpfel Übersicht");

    private static readonly string[] French = Words(
        "le la les de des du et est un une que qui dans pour pas sur au aux avec ce cette il elle nous vous ils sont été être avoir fait plus mais comme tout très bien où même après avant déjà toujours jamais ça là français société gouvernement développement économie année été hôpital île garçon français façon élève préféré déjà voilà naïve cœur œuvre sœur Noël réunion comptabilité facturation entreprise responsabilité établissement réglementation aujourd'hui qu'il n'est c'est l'équipe d'abord");

    private static readonly string Chinese = "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱党倒未持取设始版双历越史商千片容研像找友孩站广改议形委早房音火际则首单据导影失拿网香似斯专石若兵弟谁校读志飞观争究包组造落视济喜离虽坏兴投呀议费预算账单报告";

    private static readonly string Hiragana = "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをんがぎぐげござじずぜぞだでどばびぶべぼぱぴぷぺぽっゃゅょ";
    private static readonly string Katakana = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲンガギグゲゴザジズゼゾダデドバビブベボパピプペポッャュョー";
    private static readonly string Kanji = "日本語東京会社時間今年月火水木金土曜円電話番号請求書見積予算費用利用料金計算処理結果確認送信受信開発運用管理者担当部署";
    private static readonly string[] Emoji = ["😀", "🚀", "👍", "🎉", "🔥", "💡", "✅", "❤️", "👩‍💻", "🇩🇪", "🙏", "📈", "⚠️", "🤖"];
    private static readonly string[] Cyrillic = Words("привет мир это тест счет оплата бюджет расходы модель запрос ответ");
    private static readonly string[] Identifiers = Words("customerId invoiceTotal GetUsageAsync parse_response token_count MaxOutputTokens budgetScope HttpClient request_body isEnabled retryCount ledgerWriter");

    private readonly Random _random = new(seed);

    /// <summary>A chat request mostly of one kind: a system prompt sometimes, then alternating user and assistant turns.</summary>
    public (string Kind, ChatMessage[] Messages) NextCall(string? kind = null)
    {
        kind ??= Kinds[_random.Next(Kinds.Length)];
        var messages = new List<ChatMessage>();
        if (_random.Next(3) == 0)
        {
            messages.Add(new ChatMessage(ChatRole.System, Text("english", _random.Next(80, 400))));
        }

        int turns = _random.Next(1, 6);
        for (int i = 0; i < turns; i++)
        {
            ChatRole role = i % 2 == 0 ? ChatRole.User : ChatRole.Assistant;
            string text = _random.Next(8) == 0 ? Text(Kinds[_random.Next(Kinds.Length)], _random.Next(40, 300)) + "\n\n" + Text(kind, _random.Next(100, 2500)) : Text(kind, _random.Next(60, 3000));
            messages.Add(new ChatMessage(role, text));
        }

        if (messages[^1].Role != ChatRole.User)
        {
            messages.Add(new ChatMessage(ChatRole.User, Text(kind, _random.Next(20, 400))));
        }

        return (kind, [.. messages]);
    }

    /// <summary>About <paramref name="length"/> characters of one kind.</summary>
    public string Text(string kind, int length)
    {
        var text = new StringBuilder();
        while (text.Length < length)
        {
            switch (kind)
            {
                case "english": Sentence(text, English); break;
                case "chat": ChatLine(text); break;
                case "code": CodeLine(text); break;
                case "json": JsonObject(text); break;
                case "table": TableRow(text); break;
                case "german": Sentence(text, German); break;
                case "french": Sentence(text, French); break;
                case "chinese": Han(text); break;
                case "japanese": Japanese(text); break;
                case "mixed": text.Append(Text(Kinds[_random.Next(Kinds.Length - 2)], 80)).Append(' '); break;
                case "adversarial": Adversarial(text); break;
                default: throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown kind.");
            }
        }

        return text.ToString();
    }

    private static string[] Words(string list) => list.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private string Pick(string[] words) => words[_random.Next(words.Length)];

    private void Sentence(StringBuilder text, string[] words)
    {
        int count = _random.Next(5, 18);
        for (int i = 0; i < count; i++)
        {
            string word = Pick(words);
            text.Append(i == 0 ? char.ToUpperInvariant(word[0]) + word[1..] : word);
            text.Append(_random.Next(12) == 0 ? ", " : i == count - 1 ? string.Empty : " ");
        }

        text.Append(_random.Next(6) == 0 ? "?" : ".").Append(_random.Next(5) == 0 ? "\n\n" : " ");
    }

    private void ChatLine(StringBuilder text)
    {
        string[] openers = ["hey", "ok so", "thanks!", "can you", "quick question:", "lol", "sure,", "hmm"];
        text.Append(openers[_random.Next(openers.Length)]).Append(' ');
        Sentence(text, English);
        if (_random.Next(4) == 0)
        {
            text.Append(Emoji[_random.Next(Emoji.Length)]).Append(' ');
        }
    }

    private void CodeLine(StringBuilder text)
    {
        int indent = _random.Next(0, 4) * 4;
        text.Append(' ', indent);
        switch (_random.Next(5))
        {
            case 0: text.Append("var ").Append(Pick(Identifiers)).Append(" = await ").Append(Pick(Identifiers)).Append('(').Append(Pick(Identifiers)).Append(", cancellationToken);\n"); break;
            case 1: text.Append("if (").Append(Pick(Identifiers)).Append(" >= ").Append(_random.Next(0, 10000).ToString(CultureInfo.InvariantCulture)).Append(")\n").Append(' ', indent).Append("{\n"); break;
            case 2: text.Append("def ").Append(Pick(Identifiers)).Append("(self, ").Append(Pick(Identifiers)).Append(": int = ").Append(_random.Next(100).ToString(CultureInfo.InvariantCulture)).Append(") -> dict:\n"); break;
            case 3: text.Append("// ").Append(Pick(English)).Append(' ').Append(Pick(English)).Append(' ').Append(Pick(English)).Append('\n'); break;
            default: text.Append("return ").Append(Pick(Identifiers)).Append('.').Append(Pick(Identifiers)).Append("?.ToString() ?? \"\";\n").Append(' ', indent).Append("}\n"); break;
        }
    }

    private void JsonObject(StringBuilder text)
    {
        text.Append("{\"").Append(Pick(Identifiers)).Append("\": ").Append(_random.Next(0, 1_000_000).ToString(CultureInfo.InvariantCulture))
            .Append(", \"").Append(Pick(English)).Append("\": \"").Append(Pick(English)).Append(' ').Append(Pick(English)).Append("\", \"items\": [")
            .Append((_random.NextDouble() * 1000).ToString("F2", CultureInfo.InvariantCulture)).Append(", ")
            .Append(_random.Next(2) == 0 ? "true" : "null").Append("], \"id\": \"").Append(_random.NextInt64().ToString("x12", CultureInfo.InvariantCulture)[..12]).Append("\"}");
        text.Append(_random.Next(3) == 0 ? ",\n" : ", ");
    }

    private void TableRow(StringBuilder text)
    {
        text.Append("| ").Append(new DateTime(2026, 1, 1).AddDays(_random.Next(365)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        int columns = _random.Next(3, 7);
        for (int i = 0; i < columns; i++)
        {
            text.Append(" | ").Append((_random.NextDouble() * Math.Pow(10, _random.Next(1, 7))).ToString("F" + _random.Next(0, 4), CultureInfo.InvariantCulture));
        }

        text.Append(" |\n");
    }

    private void Han(StringBuilder text)
    {
        int count = _random.Next(8, 30);
        for (int i = 0; i < count; i++)
        {
            text.Append(Chinese[_random.Next(Chinese.Length)]);
        }

        text.Append(_random.Next(4) == 0 ? "，" : "。");
        if (_random.Next(6) == 0)
        {
            text.Append('\n');
        }
    }

    private void Japanese(StringBuilder text)
    {
        int count = _random.Next(6, 24);
        for (int i = 0; i < count; i++)
        {
            int r = _random.Next(10);
            text.Append(r < 5 ? Hiragana[_random.Next(Hiragana.Length)] : r < 7 ? Katakana[_random.Next(Katakana.Length)] : Kanji[_random.Next(Kanji.Length)]);
        }

        text.Append(_random.Next(4) == 0 ? "、" : "。");
    }

    private void Adversarial(StringBuilder text)
    {
        switch (_random.Next(5))
        {
            case 0:
                // Scripts alternating word by word.
                text.Append(Pick(English)).Append(Chinese[_random.Next(Chinese.Length)]).Append(Pick(Cyrillic)).Append(Hiragana[_random.Next(Hiragana.Length)]).Append(Pick(German)).Append(' ');
                break;
            case 1:
                // A long run of digits.
                for (int i = _random.Next(20, 200); i > 0; i--)
                {
                    text.Append((char)('0' + _random.Next(10)));
                }

                text.Append(' ');
                break;
            case 2:
                for (int i = _random.Next(3, 12); i > 0; i--)
                {
                    text.Append(Emoji[_random.Next(Emoji.Length)]);
                }

                text.Append(' ');
                break;
            case 3:
                text.Append(Pick(Cyrillic)).Append(' ').Append(Pick(Cyrillic)).Append(", ");
                break;
            default:
                // Base64-like noise.
                const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
                for (int i = _random.Next(16, 64); i > 0; i--)
                {
                    text.Append(Alphabet[_random.Next(Alphabet.Length)]);
                }

                text.Append("== ");
                break;
        }
    }
}
