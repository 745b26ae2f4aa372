import CBLAS

/// Singular value decomposition of a small dense matrix, through LAPACK's
/// `sgesvd` in OpenBLAS.
public enum SingularValues {
    /// A = U · diag(s) · Vᵀ for a row-major [n, n] matrix: `u` and `vt` are
    /// row-major [n, n], `s` falls from the largest value. Nil when LAPACK
    /// does not converge.
    public static func decompose(_ matrix: [Float], size n: Int) -> (u: [Float], s: [Float], vt: [Float])? {
        precondition(matrix.count == n * n, "decompose takes a square matrix")
        // LAPACK reads row-major A as column-major Aᵀ = V · diag(s) · Uᵀ.
        var a = matrix, s = [Float](repeating: 0, count: n)
        var left = [Float](repeating: 0, count: n * n), right = [Float](repeating: 0, count: n * n)
        var rows = Int32(n), columns = Int32(n), leading = Int32(n), leadingLeft = Int32(n), leadingRight = Int32(n)
        var info: Int32 = 0, query: Float = 0, workCount: Int32 = -1
        var jobLeft = CChar(UInt8(ascii: "A")), jobRight = jobLeft
        sgesvd_(&jobLeft, &jobRight, &rows, &columns, &a, &leading, &s, &left, &leadingLeft, &right, &leadingRight,
                &query, &workCount, &info)
        guard info == 0 else { return nil }
        workCount = Int32(query)
        var work = [Float](repeating: 0, count: Int(workCount))
        sgesvd_(&jobLeft, &jobRight, &rows, &columns, &a, &leading, &s, &left, &leadingLeft, &right, &leadingRight,
                &work, &workCount, &info)
        guard info == 0 else { return nil }
        // Its left factor (our V, column-major) read row-major is Vᵀ; its
        // right one (our Uᵀ, column-major) read row-major is U.
        return (u: right, s: s, vt: left)
    }
}

extension SingularValues {
    /// The best rank-`rank` factorisation of a row-major [n, n] matrix A
    /// with the singular values split evenly: A ≈ Lᵀ · R, where L = √S·Uᵀ
    /// and R = √S·Vᵀ are both row-major [rank, n] (top singular values
    /// first). Nil when LAPACK does not converge.
    public static func balancedFactors(_ matrix: [Float], size n: Int, rank: Int) -> (leftTransposed: [Float], right: [Float])? {
        precondition((1...n).contains(rank), "rank must be between 1 and the matrix size")
        guard let (u, s, vt) = decompose(matrix, size: n) else { return nil }
        var left = [Float](repeating: 0, count: rank * n), right = [Float](repeating: 0, count: rank * n)
        for component in 0..<rank {
            let root = s[component].squareRoot()
            for index in 0..<n {
                left[component * n + index] = u[index * n + component] * root
                right[component * n + index] = vt[component * n + index] * root
            }
        }
        return (left, right)
    }
}
