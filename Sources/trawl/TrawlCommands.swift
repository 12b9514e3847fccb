import Trawl
import TrawlCommandLine

/// The command-line interface's shape: every command, argument and option, with its help.
enum TrawlCommands {
    static let crawlOptions: [OptionSpec] = [
        .option(
            "-o", "--output", valueName: "file",
            help: "Write records to this file instead of standard output ('-', the default)."),
        .option("-c", "--concurrency", valueName: "n", help: "Requests in flight at once.", defaultDescription: "32"),
        .option("--per-host", valueName: "n", help: "Requests in flight at once on one host.", defaultDescription: "6"),
        .option(
            "--max-attempts", valueName: "n", help: "Attempts per URL in all, the first included.",
            defaultDescription: "4"),
        .option(
            "--timeout", valueName: "seconds",
            help: "Bound on one whole attempt: connect, headers, body and redirects.", defaultDescription: "30"),
        .option(
            "--retry-on", valueName: "codes", help: "HTTP statuses that are retried, comma-separated.",
            defaultDescription: "408,429,500,502,503,504"),
        .option(
            "--backoff-base", valueName: "seconds", help: "Backoff before the second attempt (doubles after).",
            defaultDescription: "0.5"),
        .option("--backoff-max", valueName: "seconds", help: "Cap on the backoff.", defaultDescription: "30"),
        .option(
            "--max-retry-after", valueName: "seconds",
            help: "A longer Retry-After ends the URL with retry_after_too_long.", defaultDescription: "120"),
        .option("--max-redirects", valueName: "n", help: "Redirects followed per attempt.", defaultDescription: "10"),
        .option(
            "--max-body-bytes", valueName: "n", help: "Cap on decoded body bytes.", defaultDescription: "10485760"),
        .option(
            "-H", "--header", valueName: "header", help: "Add a request header, 'Name: value'. Repeatable.",
            isRepeatable: true),
        .option(
            "--user-agent", valueName: "text", help: "The User-Agent header.",
            defaultDescription: "trawl/\(trawlVersion)"),
        .option(
            "--body", valueName: "mode", help: "Put each body in its record.", defaultDescription: "none",
            allowedValues: ["none", "text", "base64"]),
        .flag("--no-adaptive", help: "Do not pace hosts that answer 429 or 503 by their rate (AIMD)."),
        .option("--rate", valueName: "n", help: "Most requests per second started on one host."),
        .option("--rate-global", valueName: "n", help: "Most requests per second started overall."),
        .option(
            "--expect-status", valueName: "codes",
            help: "Retry a 2xx answer whose status is not listed; fail as validation if none passes."),
        .option("--expect-body", valueName: "regex", help: "Retry a 2xx answer whose body does not match."),
        .option(
            "--expect-json", valueName: "path=value",
            help:
                "Retry a 2xx answer whose JSON body lacks this value at a dotted path (data.items.0.state=ready). Repeatable.",
            isRepeatable: true),
        .option(
            "--progress", valueName: "mode",
            help: "Live line on a terminal (auto), always, never (summary only), or plain log lines.",
            defaultDescription: "auto", allowedValues: ["auto", "always", "never", "log"]),
        .flag("-q", "--quiet", help: "Print nothing on stderr but errors."),
        .flag("--resume", help: "Append to an existing output, skipping URLs that already have a record."),
        .flag("--force", help: "Overwrite an existing output file."),
        .option(
            "--grace", valueName: "seconds", help: "On SIGINT/SIGTERM/SIGHUP, time for requests in flight to finish.",
            defaultDescription: "10"),
        .option(
            "--shard", valueName: "k/n",
            help:
                "Crawl only URLs whose host hashes to shard k of n (also TRAWL_SHARD, or JOB_COMPLETION_INDEX with TRAWL_SHARDS)."
        ),
        .option(
            "--transport", valueName: "name",
            help:
                "The HTTP client: the fastest available, trawl's own HTTP/1.1 (libcurl for https and proxies), libcurl or URLSession.",
            defaultDescription: "auto", allowedValues: ["auto", "native", "curl", "urlsession"]),
        .option(
            "--cacert", valueName: "file",
            help: "Also trust the CA certificates in this PEM file (needs the libcurl transport)."),
        .flag(
            "-k", "--insecure",
            help: "Do not verify TLS certificates or host names (says so on stderr; needs the libcurl transport)."),
        .option(
            "--proxy", valueName: "url",
            help:
                "Send every request through this proxy, https by CONNECT; overrides HTTP_PROXY, HTTPS_PROXY and ALL_PROXY, NO_PROXY still applies (needs the libcurl transport)."
        ),
        .flag("--http1.1", help: "Speak HTTP/1.1 only; by default HTTP/2 is offered over TLS (libcurl transport)."),
        .option(
            "--event-loops", valueName: "n",
            help: "libcurl event-loop threads, each running its share of -c (libcurl transport).",
            defaultDescription: "1"),
    ]

    static let crawl = CommandSpec(
        name: "crawl",
        abstract: "Fetch every URL of a list and write one NDJSON record per distinct URL.",
        discussion: """
            Exit status: 0 every URL ok, 1 some URL failed (with --resume, in an earlier run too), 64 usage \
            error (the output is the input file, too), 66 input missing or unreadable, 73 output exists (use \
            --resume or --force), is being written by another trawl, or cannot be written (the crawl stops), \
            129/130/143 interrupted by SIGHUP/SIGINT/SIGTERM.
            """,
        arguments: [ArgumentSpec("input", help: "A file of URLs, one per line, or '-' for standard input.")],
        options: crawlOptions
    )

    static let demo = CommandSpec(
        name: "demo",
        abstract: "Crawl a built-in loopback site with a realistic mix of answers.",
        options: [
            .option("--urls", valueName: "n", help: "How many URLs to crawl.", defaultDescription: "500"),
            .option(
                "-o", "--output", valueName: "file",
                help: "Where the records go; a rerun replaces a file named trawl-demo.ndjson, and keeps any other.",
                defaultDescription: "trawl-demo.ndjson"),
            .option(
                "--progress", valueName: "mode", help: "As for crawl.", defaultDescription: "auto",
                allowedValues: ["auto", "always", "never", "log"]),
            .flag("-q", "--quiet", help: "Print nothing on stderr but errors."),
            .option(
                "--transport", valueName: "name", help: "As for crawl.", defaultDescription: "auto",
                allowedValues: ["auto", "native", "curl", "urlsession"]),
        ]
    )

    static let root = CommandSpec(
        name: "trawl",
        abstract: "A concurrent bulk page crawler: a list of URLs in, one NDJSON record per URL out.",
        subcommands: [crawl, demo],
        defaultSubcommand: "crawl"
    )

    static let parser = CommandLineParser(root: root, version: trawlVersion)

    /// `trawl --help`: crawl is what people run, so its options come first, then the subcommands.
    static var rootHelp: String {
        let crawlHelp = parser.helpText(for: ["trawl", "crawl"])
            .replacingOccurrences(of: "USAGE: trawl crawl ", with: "USAGE: trawl [crawl] ")
        let rootHelp = parser.helpText(for: ["trawl"])
        guard let subcommands = rootHelp.range(of: "SUBCOMMANDS:") else { return crawlHelp }
        return crawlHelp + "\n" + rootHelp[subcommands.lowerBound...]
    }

    /// A usage error as swift-argument-parser prints it; errors in the implicit `crawl` point at `trawl --help`,
    /// which shows crawl's options.
    static func errorText(for error: UsageError) -> String {
        parser.errorText(for: error)
            .replacingOccurrences(of: "See 'trawl crawl --help'", with: "See 'trawl --help'")
    }
}
