import Foundation
import Testing
import TrawlTestSite

@testable import Trawl

@Suite(.timeLimit(.minutes(1))) struct ExpectationsTests {
    private func response(_ body: String, status: Int = 200) -> TransportResponse {
        TransportResponse(status: status, body: Array(body.utf8))
    }

    @Test func jsonPathsReachIntoObjectsAndArrays() {
        var expectations = Expectations()
        let added = expectations.expectJSON("data.items.0.state=ready") && expectations.expectJSON("ok=true")
        #expect(added)
        #expect(expectations.evaluate(response(#"{"ok":true,"data":{"items":[{"state":"ready"}]}}"#)) == .accept)
        #expect(
            expectations.evaluate(response(#"{"ok":true,"data":{"items":[{"state":"pending"}]}}"#))
                == .retry("data.items.0.state is pending, expected ready"))
        #expect(
            expectations.evaluate(response(#"{"ok":1,"data":{}}"#))
                == .retry("data.items.0.state is missing from the JSON body"))
        #expect(expectations.evaluate(response("<html>")) == .retry("the body is not JSON"))
        let rejected = !expectations.expectJSON("novalue")
        #expect(rejected)
    }

    @Test func bodyPatternAndStatusChecks() throws {
        var expectations = Expectations()
        try expectations.expectBody(matching: "ready|done")
        expectations.statuses = [200]
        #expect(expectations.evaluate(response("all done")) == .accept)
        #expect(expectations.evaluate(response("waiting")) == .retry("the body does not match /ready|done/"))
        #expect(expectations.evaluate(response("done", status: 204)) == .retry("status 204 is not one of 200"))
    }

    @Test func aCrawlRetriesUntilValidAndFailsAsValidationOtherwise() async throws {
        let site = try TestSite()
        var expectations = Expectations()
        expectations.expectJSON("status=ready")
        let eventually = site.url("/ready/a?after=2")
        let never = site.url("/ready/b?after=100")
        let (sink, _) = await crawl([eventually, never]) { $0.retry.evaluate = expectations }
        #expect(sink.record(for: eventually)?.ok == true && sink.record(for: eventually)?.attempts == 3)
        let failed = try #require(sink.record(for: never))
        #expect(!failed.ok && failed.attempts == 4 && failed.error?.kind == .validation)
        #expect(failed.error?.message == "status is pending, expected ready")
    }
}
