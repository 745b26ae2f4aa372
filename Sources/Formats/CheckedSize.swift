/// The product of sizes read from a file, or nil when it overflows `Int`:
/// sizes in a file are untrusted, and a wrapped product must never reach an
/// allocation or a bounds check.
func checkedProduct(_ factors: [Int]) -> Int? {
    var product = 1
    for factor in factors {
        let (result, overflow) = product.multipliedReportingOverflow(by: factor)
        if overflow { return nil }
        product = result
    }
    return product
}
