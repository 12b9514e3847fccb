import Testing

@testable import Trawl

@Suite struct ShardTests {
    @Test func parsesKOverNAndRejectsNonsense() {
        #expect(Shard(parsing: "2/4") == Shard(index: 2, count: 4))
        for bad in ["0/4", "5/4", "1/0", "a/b", "1", "1/2/3", "-1/2", ""] {
            #expect(Shard(parsing: bad) == nil, "\(bad)")
        }
    }

    @Test func theHashIsTheDocumentedFNV1aAndIgnoresCase() {
        // FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c.
        #expect(Shard.number(ofHost: "a", count: 1 << 20) == Int(UInt64(0xaf63_dc4c_8601_ec8c) % (1 << 20)) + 1)
        #expect(Shard.number(ofHost: "Example.COM", count: 7) == Shard.number(ofHost: "example.com", count: 7))
    }

    @Test func everyURLLandsInExactlyOneShardAndHostsStayTogether() throws {
        let urls = (0..<400).map { "http://host\($0 % 8).example:\(8000 + $0 % 3)/p\($0)" }
        var owner: [String: Int] = [:]
        for url in urls {
            let item = InputItem.fetch(try CrawlURL(validating: url))
            let shards = (1...4).filter { Shard(index: $0, count: 4)!.contains(item) }
            #expect(shards.count == 1)
            let host = try CrawlURL(validating: url).host
            if let previous = owner[host] { #expect(previous == shards[0]) }
            owner[host] = shards[0]
        }
        #expect(Set(owner.values).count > 1)
        let rejected = InputItem.rejected(.rejected("x", RecordError(.invalidURL, "x")))
        #expect((1...4).filter { Shard(index: $0, count: 4)!.contains(rejected) } == [1])
    }
}
