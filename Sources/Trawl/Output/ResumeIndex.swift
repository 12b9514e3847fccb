import Foundation

/// Reads an existing NDJSON output so a run can resume it: cuts a torn last line, and remembers the digest of
/// every recorded `url` and of those whose record failed.
///
/// Streams the file in 1 MiB pieces, so a multi-gigabyte output costs only its digests in memory.
public enum ResumeIndex {
    /// What was found.
    public struct Result: Sendable {
        /// Digests of every URL with a complete record.
        public var done: Set<URLDigest>
        /// Digests of the URLs in `done` whose record says `"ok": false`.
        public var failed: Set<URLDigest> = []
        /// Complete records read.
        public var records: Int
        /// Bytes cut from the end (a torn last line), 0 if the file ended cleanly.
        public var truncatedBytes: Int
    }

    /// Reads the output open on `fd` (read-write), truncating a torn last line in place.
    public static func load(fd: Int32) throws(OutputError) -> Result {
        var done = Set<URLDigest>()
        var failed = Set<URLDigest>()
        var records = 0
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var line: [UInt8] = []
        var offset = 0  // bytes consumed through the last newline
        var total = 0
        guard lseek(fd, 0, SEEK_SET) == 0 else { throw OutputError(errno: errno) }
        while true {
            let got = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if got < 0 {
                if errno == EINTR { continue }
                throw OutputError(errno: errno)
            }
            if got == 0 { break }
            var start = 0
            for index in 0..<got where chunk[index] == UInt8(ascii: "\n") {
                line.append(contentsOf: chunk[start..<index])
                if let (url, ok) = fields(inRecord: line) {
                    let digest = URLDigest(url)
                    done.insert(digest)
                    if ok { failed.remove(digest) } else { failed.insert(digest) }
                    records += 1
                }
                line.removeAll(keepingCapacity: true)
                start = index + 1
                offset = total + index + 1
            }
            line.append(contentsOf: chunk[start..<got])
            total += got
        }
        let torn = total - offset
        if torn > 0 {
            guard ftruncate(fd, off_t(offset)) == 0 else { throw OutputError(errno: errno) }
        }
        guard lseek(fd, 0, SEEK_END) >= 0 else { throw OutputError(errno: errno) }
        return Result(done: done, failed: failed, records: records, truncatedBytes: torn)
    }

    /// The `url` and `ok` fields of one record line, or `nil` if the line is not a complete record. A record
    /// without a boolean `ok` counts as ok.
    static func fields(inRecord line: [UInt8]) -> (url: String, ok: Bool)? {
        guard line.last == UInt8(ascii: "}") else { return nil }
        // Fast path for trawl's own records: `{"url":"...","ok":...` with no escapes in the URL.
        let prefix = Array(#"{"url":""#.utf8)
        if line.starts(with: prefix) {
            let body = line[prefix.count...]
            if let end = body.firstIndex(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }),
                line[end] == UInt8(ascii: "\"")
            {
                let rest = line[(end + 1)...]
                let okTrue = rest.starts(with: #","ok":true"#.utf8)
                if okTrue || rest.starts(with: #","ok":false"#.utf8) {
                    return (String(decoding: line[prefix.count..<end], as: UTF8.self), okTrue)
                }
            }
        }
        guard
            let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
            let url = object["url"] as? String
        else { return nil }
        return (url, object["ok"] as? Bool ?? true)
    }
}
