import Foundation
import TrawlTestSite

/// The list `trawl demo` crawls: a realistic mix over the three hosts of the built-in loopback site.
enum DemoSite {
    /// `count` URL lines: mostly pages of varied speed and size, with 404s, redirects and flaky 5xx on two
    /// hosts; the third host sits behind a real rate limiter (20 requests a second, then 429 with
    /// `Retry-After: 1`), so the demo shows trawl pausing and pacing a host while the others go on. Plus a
    /// duplicate, a comment and a malformed line. On a site of one host, that host gets the first two's mix.
    static func lines(count: Int, site: TestSite) -> [String] {
        var generator = SplitMix(seed: 2026)
        var lines = ["# trawl demo: \(count) URLs on \(site.hosts.joined(separator: ", "))"]
        for index in 0..<count {
            let host = site.hosts[index % site.hosts.count]
            let roll = generator.next() % 100
            let delay = 20 + generator.next() % 280
            let size = 512 + generator.next() % 8192
            let path: String
            // With a single host (macOS without loopback aliases) it is not the rate-limited one: all of the demo
            // would then be paced.
            if site.hosts.count > 1 && host == site.hosts.last {
                switch roll {
                case 0..<86: path = "/limited/\(index)?rate=20&size=\(size)"
                case 86..<94: path = "/status/404?n=\(index)"
                case 94..<98: path = "/seq/demo-\(index)/500,200"
                default: path = "/retry-after/demo-\(index)?after=1&form=date&status=503"
                }
            } else {
                switch roll {
                case 0..<74: path = "/slow/\(index)?delay=\(delay)&size=\(size)"
                case 74..<83: path = "/status/404?n=\(index)"
                case 83..<89: path = "/redirect/\(1 + index % 3)?n=\(index)"
                case 89..<95: path = "/seq/demo-\(index)/503,200"
                case 95..<98: path = "/seq/demo-\(index)/500,502,200"
                default: path = "/status/500?n=\(index)"
                }
            }
            lines.append(site.url(path, host: host))
        }
        lines.insert("not-a-url", at: lines.count / 2)
        lines.append(lines[1])
        return lines
    }
}

/// A small deterministic generator, so every demo run crawls the same list.
private struct SplitMix {
    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
