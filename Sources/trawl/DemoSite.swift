import Foundation
import TrawlTestSite

/// The list `trawl demo` crawls: a realistic mix over the three hosts of the built-in loopback site.
enum DemoSite {
    /// `count` URL lines: mostly pages of varied speed and size, with 404s, redirects, flaky 5xx, 429s with
    /// Retry-After in both forms, a duplicate, a comment and a malformed line.
    static func lines(count: Int, site: TestSite) -> [String] {
        var generator = SplitMix(seed: 2026)
        var lines = ["# trawl demo: \(count) URLs on \(site.hosts.joined(separator: ", "))"]
        for index in 0..<count {
            let host = site.hosts[index % site.hosts.count]
            let roll = generator.next() % 100
            let delay = 20 + generator.next() % 280
            let size = 512 + generator.next() % 8192
            let path: String
            switch roll {
            case 0..<73: path = "/slow/\(index)?delay=\(delay)&size=\(size)"
            case 73..<81: path = "/status/404?n=\(index)"
            case 81..<86: path = "/redirect/\(1 + index % 3)?n=\(index)"
            case 86..<92: path = "/seq/demo-\(index)/503,200"
            case 92..<96: path = "/seq/demo-\(index)/500,502,200"
            case 96..<97: path = "/retry-after/demo-\(index)?after=1"
            case 97..<98: path = "/retry-after/demo-\(index)?after=1&form=date&status=503"
            default: path = "/status/500?n=\(index)"
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
