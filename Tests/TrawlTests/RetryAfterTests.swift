import Foundation
import Testing

@testable import Trawl

@Suite struct RetryAfterTests {
    // Sun, 06 Nov 1994 08:49:37 GMT
    private let reference = Date(timeIntervalSince1970: 784_111_777)

    @Test func deltaSecondsParse() {
        #expect(RetryAfter(headerValue: "120") == .seconds(120))
        #expect(RetryAfter(headerValue: " 0 ") == .seconds(0))
    }

    @Test func hugeDeltaSecondsSaturateInsteadOfOverflowing() {
        let value = RetryAfter(headerValue: "99999999999999999999999999")
        #expect(value == .seconds(UInt64.max))
        #expect(value!.delay(now: reference) > .seconds(1_000_000_000))
    }

    @Test func allThreeHTTPDateFormsParseToTheSameInstant() {
        for text in ["Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"] {
            #expect(RetryAfter(headerValue: text) == .date(reference), "\(text)")
        }
    }

    @Test func dateDelayIsTheTimeUntilTheDateAndNeverNegative() {
        let date = RetryAfter.date(reference.addingTimeInterval(5))
        #expect(date.delay(now: reference) == .seconds(5))
        #expect(RetryAfter.date(reference).delay(now: reference.addingTimeInterval(3600)) == .zero)
    }

    @Test(arguments: [
        "", "soon", "-5", "1.5", "5 5", "Sun, 32 Nov 1994 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 25:49:37 GMT", "0x10",
    ])
    func garbageIsRejected(_ text: String) {
        #expect(RetryAfter(headerValue: text) == nil)
    }
}
