import Foundation
import Testing

@testable import TrawlTestSite

@Suite("Gzip bomb", .timeLimit(.minutes(1)))
struct GzipBombTests {
    @Test func crc32MatchesTheStandardCheckValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
    }

    @Test func crc32OfZerosMatchesTheBytewiseComputation() {
        for count in [0, 1, 2, 7, 258, 1000, 65_537] {
            let expected = CRC32.checksum([UInt8](repeating: 0, count: count))
            #expect(CRC32.checksumOfZeros(count: UInt64(count)) == expected, "for \(count) zeros")
        }
    }

    @Test func smallBombsInflateToExactlyTheirSizeInPython() throws {
        let sizes = [0, 1, 2, 3, 258, 259, 260, 1000, 100_000]
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gzip-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var paths: [String] = []
        for size in sizes {
            let file = directory.appendingPathComponent("\(size).gz")
            try Data(GzipBomb.make(size: UInt64(size))).write(to: file)
            paths.append(file.path)
        }
        let output = try Self.inflatedSizes(paths)
        #expect(output == sizes.map { "\($0) \($0)" })
    }

    @Test func theGzipPathServesAFiftyMegabyteBombUnder100KB() throws {
        let site = try TestSite()
        defer { site.shutdown() }
        let response = try RawClient.get(site, "/gzip?bytes=50000000")
        #expect(response.header("Content-Encoding") == "gzip")
        #expect(response.body.count < 100_000)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bomb-\(UUID().uuidString).gz")
        try Data(response.body).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(try Self.inflatedSizes([file.path]) == ["50000000 50000000"])
    }

    /// For each gzip file, "<inflated length> <count of zero bytes>", as Python's gzip module (which checks the CRC
    /// and length trailer) sees it.
    private static func inflatedSizes(_ paths: [String]) throws -> [String] {
        let script = """
            import gzip, sys
            for p in sys.argv[1:]:
                d = gzip.decompress(open(p, 'rb').read())
                print(len(d), d.count(0))
            """
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + paths
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}
