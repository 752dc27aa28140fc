/*
 * src/main.c - the `niemtin` command: global options, then a subcommand from
 * the table below.  `niemtin help` lists them.  Exit status: 0 success, 1 the
 * input was rejected or an operation failed, 2 usage error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

typedef struct command {
    const char *name;
    int (*run)(cli *c, int argc, char **argv);
    const char *args;
    const char *help_vi;
    const char *help_en;
} command;

static int cmd_help(cli *c, int argc, char **argv);
static int cmd_version(cli *c, int argc, char **argv);

static const command commands[] = {
    {"check", cmd_check, "[--json] TEXT | -f FILE | - | --batch FILE | --conversation FILE",
     "kiểm tra một tin nhắn: lừa đảo hay dụ dỗ, thủ đoạn nào, bằng chứng, nên làm gì",
     "check a message: scam or grooming, which tactics, the evidence, what to do"},
    {"eval", cmd_eval,
     "--data FILE [--at suspicious|dangerous] [--json] | --conversations DIR | --model FILE "
     "[--data DIR] [--split test|validation] [--cv K/N] [--scores FILE] [--errors] [--json] | "
     "--levels [--model FILE] [--sweep]",
     "đo độ chính xác: cả bộ kiểm tra trên tập tin nhắn có nhãn (JSON lines), hoặc riêng mô "
     "hình thống kê (--model)",
     "measure accuracy: the whole check on a labelled set (JSON lines), or the statistical "
     "model alone (--model)"},
    {"rules", cmd_rules, "list [--json] | check [DIR]",
     "liệt kê các luật, hoặc kiểm tra một thư mục luật (lỗi kèm tệp:dòng:cột)",
     "list the rules, or check a rules directory (errors with file:line:col)"},
    {"normalize", cmd_normalize, "[--json] [--strict] TEXT | -f FILE | -",
     "chuẩn hoá văn bản tiếng Việt: in các dạng NFC, chuẩn (norm), bỏ dấu (fold) và các token",
     "normalise Vietnamese text: print the NFC, norm and folded forms and the tokens"},
    {"extract", cmd_extract, "[--json] TEXT | -f FILE | -",
     "tìm chỉ báo lừa đảo: đường link, tên miền, số điện thoại, số tài khoản, email, "
     "tài khoản mạng xã hội, ví tiền số, số CCCD",
     "find scam indicators: URLs, domains, phone numbers, bank accounts, e-mails, social "
     "accounts, crypto wallets, citizen ID numbers"},
    {"canon", cmd_canon, "[--json] TYPE VALUE...",
     "chuẩn hoá một giá trị (url, domain, phone, bank, email, social, wallet, national_id)",
     "canonicalise one value (url, domain, phone, bank, email, social, wallet, national_id)"},
    {"train", cmd_train,
     "--out FILE [--data DIR] [--seed N] [--epochs N] [--bits N] [--learning-rate X] [--l2 X] "
     "[--folds N] [--class-weight P] [--cv K/N] [--scores FILE] [--no-rules]",
     "huấn luyện mô hình thống kê (xem docs/model.md)",
     "train the statistical model (see docs/model.md)"},
    {"lookup", cmd_lookup, "[--db PATH] [--type T] [--json] VALUE... | --batch FILE",
     "tra cứu danh sách cảnh báo sớm: số điện thoại, tài khoản, link, tên miền... đã bị báo cáo "
     "hay xác nhận lừa đảo chưa",
     "look values up in the early-warning registry: reported or confirmed scam numbers, "
     "accounts, links, domains..."},
    {"report", cmd_report,
     "add --type T --value V [--evidence TEXT] [--reporter NAME] [--member] [--contact C] "
     "[--channel CH] [--amount VND]",
     "báo cáo một chỉ báo lừa đảo (liên hệ của người báo cáo được mã hoá)",
     "report a scam indicator (the reporter's contact is encrypted)"},
    {"review", cmd_review,
     "list [--status S] | show ID | start|confirm|reject|dispute|clear ID --reason TEXT "
     "[--as LOGIN]",
     "chuyên viên xem xét và quyết định: xác nhận, bác bỏ, khiếu nại, gỡ cảnh báo",
     "analysts review and decide: confirm, reject, dispute, clear"},
    {"import", cmd_import,
     "--format chongluadao|list|stix|csv [--type T] [--name N] [--skip-bad] FILE",
     "nhập một danh sách công khai (ChongLuaDao, mỗi dòng một giá trị, STIX 2.1, CSV), tất cả "
     "hoặc không",
     "import a published list (ChongLuaDao, one value a line, STIX 2.1, CSV), all or nothing"},
    {"export", cmd_export, "--format stix|csv|hosts [--status S|all] [--out FILE]",
     "xuất danh sách đã xác nhận: gói STIX 2.1, CSV, hoặc tệp hosts cho chặn DNS",
     "export the confirmed list: a STIX 2.1 bundle, CSV, or a hosts file for DNS blocking"},
    {"feed", cmd_feed, "--since CURSOR [--limit N] [--json]",
     "các thay đổi của danh sách theo thứ tự, kèm con trỏ cho lần sau",
     "the registry's changes in order, with the cursor for next time"},
    {"expire", cmd_expire, "--older-than DAYS",
     "cho hết hạn các chỉ báo lâu không có hoạt động", "expire indicators with no recent activity"},
    {"user", cmd_user,
     "add LOGIN --role member|analyst|admin [--org ORG] [--name NAME] [--password-file F] | list "
     "| passwd LOGIN | role LOGIN ROLE | disable LOGIN | enable LOGIN",
     "quản lý tài khoản người dùng (mật khẩu đọc từ tệp hoặc đầu vào chuẩn)",
     "manage people's accounts (passwords from a file or standard input)"},
    {"org", cmd_org, "add NAME --kind bank|telco|platform|other | list",
     "các tổ chức thành viên của liên minh", "the alliance's member organisations"},
    {"key", cmd_key,
     "create --org ORG --role member|analyst [--expires DAYS] [--label TEXT] | list | revoke "
     "PREFIX",
     "khoá API của tổ chức thành viên (chỉ hiện một lần)",
     "member organisations' API keys (shown once)"},
    {"settings", cmd_settings, "[list] | get KEY | set KEY VALUE",
     "cài đặt: giới hạn tốc độ theo vai trò, phiên đăng nhập, chống dò mật khẩu",
     "settings: rate limits per role, sessions, login throttling"},
    {"audit", cmd_audit, "verify [--anchor ID:HASH] | list [--since ID] [--limit N] | head",
     "nhật ký kiểm toán có chuỗi băm: kiểm tra toàn vẹn, xem các mục",
     "the hash-chained audit log: verify it, list entries"},
    {"login", cmd_login, "LOGIN [--from ADDR] [--password-file F]",
     "đăng nhập, in mã phiên (cho kịch bản)", "log in and print a session token (for scripts)"},
    {"demo-accounts", cmd_demo_accounts, "[--db PATH]",
     "tạo các tài khoản DEMO (mật khẩu công khai) cho bản chạy thử",
     "create the DEMO accounts (published passwords) for a demo"},
    {"claim", cmd_claim,
     "submit|add|list|assign|dismiss|draft|publish|correct|show|import|contact ... | match "
     "[--db PATH | --claims FILE] TEXT | eval --clef DIR | --vi DIR | fit --clef DIR --vi DIR "
     "(claim help)",
     "bàn kiểm chứng tin giả: nhận tin đồn, giao, viết, đăng, đính chính; tra tin trong các bài "
     "đã kiểm chứng; đo độ chính xác (docs/claims.md)",
     "the fact-check desk: take rumours, assign, draft, publish, correct; look a text up among "
     "published fact-checks; measure accuracy (docs/claims.md)"},
    {"serve", cmd_serve, "[--addr IP] [--port N] [--threads N] [--max-body BYTES] [--rate N]",
     "chạy máy chủ HTTP: API và ứng dụng web", "run the HTTP server: API and web app"},
    {"version", cmd_version, "", "in phiên bản", "print the version"},
    {"help", cmd_help, "", "hướng dẫn này", "this help"},
};

static int cmd_version(cli *c, int argc, char **argv)
{
    (void)c;
    (void)argc;
    (void)argv;
    printf("niemtin %s\n", nt_version());
    return 0;
}

static int cmd_help(cli *c, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("%s\n\n", L(c, "NiemTin — nền tảng Niềm Tin Số: phát hiện lừa đảo, chỉ báo, cảnh báo sớm.",
                       "NiemTin — the Digital Trust engine: scam detection, indicators, early warning."));
    printf("%s: %s [--lang vi|en] [--data-dir DIR] [--rules DIR] [--model FILE] [--max-bytes N] %s\n\n",
           L(c, "Cách dùng", "Usage"), c->prog, L(c, "LỆNH [THAM SỐ]", "COMMAND [ARGS]"));
    printf("%s:\n", L(c, "Các lệnh", "Commands"));
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        printf("  %-13s %s\n", commands[i].name, commands[i].args);
        printf("                %s\n", L(c, commands[i].help_vi, commands[i].help_en));
    }
    printf("\n%s\n", L(c, "Tiếng Anh: thêm --lang en hoặc đặt NIEMTIN_LANG=en.",
                      "Vietnamese: --lang vi or NIEMTIN_LANG=vi (the default)."));
    printf("%s\n", L(c, "Trẻ em gặp nguy hiểm trên mạng: gọi 111 (Tổng đài quốc gia bảo vệ trẻ em). "
                        "Bị lừa đảo: báo công an, gọi 113.",
                     "A child in danger online: call 111 (national child protection hotline). "
                     "Scammed: report to the police, call 113."));
    return 0;
}

static int usage(cli *c)
{
    fprintf(stderr, "%s\n", L(c, "Dùng `niemtin help` để xem các lệnh.",
                              "Run `niemtin help` for the list of commands."));
    return 2;
}

int main(int argc, char **argv)
{
    cli c = {0};
    c.prog = "niemtin";
    const char *lang = getenv("NIEMTIN_LANG");
    if (lang && strncmp(lang, "en", 2) == 0)
        c.lang = CLI_EN;
    c.data_dir = getenv("NT_DATA_DIR");
    if (!c.data_dir || !*c.data_dir)
        c.data_dir = NT_SOURCE_DATA_DIR;

    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
        const char *a = argv[i];
        int takes_value = strcmp(a, "--lang") == 0 || strcmp(a, "--data-dir") == 0 ||
                          strcmp(a, "--rules") == 0 || strcmp(a, "--model") == 0 ||
                          strcmp(a, "--max-bytes") == 0;
        if (takes_value && i + 1 >= argc) {
            fprintf(stderr, "niemtin: %s: %s\n", a, L(&c, "thiếu giá trị", "missing value"));
            return 2;
        }
        if (strcmp(a, "--lang") == 0) {
            const char *v = argv[++i];
            if (strcmp(v, "vi") != 0 && strcmp(v, "en") != 0) {
                fprintf(stderr, "niemtin: --lang: %s\n",
                        L(&c, "chỉ có vi hoặc en", "expected vi or en"));
                return 2;
            }
            c.lang = strcmp(v, "en") == 0 ? CLI_EN : CLI_VI;
        } else if (strcmp(a, "--data-dir") == 0) {
            c.data_dir = argv[++i];
        } else if (strcmp(a, "--rules") == 0) {
            c.rules_dir = argv[++i]; /* the engine checks it when it opens */
        } else if (strcmp(a, "--model") == 0) {
            c.model_path = argv[++i]; /* "": no model */
        } else if (strcmp(a, "--max-bytes") == 0) {
            char *end;
            unsigned long long v = strtoull(argv[++i], &end, 10);
            if (*end || v == 0 || v > NT_MAX_MESSAGE_BYTES_CEILING) {
                fprintf(stderr, "niemtin: --max-bytes: %s 1..%u\n",
                        L(&c, "cần một số từ", "expected a number in"),
                        NT_MAX_MESSAGE_BYTES_CEILING);
                return 2;
            }
            c.max_bytes = (size_t)v;
        } else if (strcmp(a, "--help") == 0) {
            return cmd_help(&c, 0, NULL);
        } else if (strcmp(a, "--version") == 0) {
            return cmd_version(&c, 0, NULL);
        } else {
            fprintf(stderr, "niemtin: %s '%s'\n", L(&c, "tuỳ chọn không rõ", "unknown option"), a);
            return usage(&c);
        }
    }
    if (i >= argc) {
        fprintf(stderr, "%s\n", L(&c, "Thiếu lệnh.", "No command given."));
        return usage(&c);
    }
    for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++)
        if (strcmp(argv[i], commands[k].name) == 0)
            return commands[k].run(&c, argc - i - 1, argv + i + 1);
    fprintf(stderr, "niemtin: %s '%s'\n", L(&c, "không có lệnh", "no such command"), argv[i]);
    return usage(&c);
}
