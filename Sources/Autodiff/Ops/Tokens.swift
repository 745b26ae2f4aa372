import Kernels

/// Splits images [B, C, H, W] into patch rows [B, P, C·p·p].
public func patchify(_ images: Variable, patch: Int) -> Variable {
    let (batch, channels, height, width) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
    precondition(height % patch == 0 && width % patch == 0, "patchify: \(images.shape) by \(patch)")
    let count = (height / patch) * (width / patch)
    let out = Tensor(uninitialized: [batch, count, channels * patch * patch])
    Patches.extract(images.value.pointer, batch: batch, channels: channels, height: height, width: width,
                    patch: patch, into: out.pointer)
    return Variable(out, inputs: [images]) { gradient in
        Patches.accumulateImages(gradient.pointer, batch: batch, channels: channels, height: height, width: width,
                                 patch: patch, into: images.gradientBuffer().pointer)
    }
}

/// Puts learned tokens [K, D] (any shape of K·D values) in front of every
/// sequence of x [B, N, D] → [B, K+N, D]: the CLS token, or the registers.
public func prependTokens(_ prefix: Variable, to x: Variable) -> Variable {
    let (batch, tokens, width) = (x.shape[0], x.shape[1], x.shape[2])
    precondition(prefix.value.count > 0 && prefix.value.count % width == 0, "prepend: tokens \(prefix.shape) for \(x.shape)")
    let prefixValues = prefix.value.count, rowValues = prefixValues + tokens * width
    let out = Tensor(uninitialized: [batch, prefixValues / width + tokens, width])
    for item in 0..<batch {
        let target = out.pointer + item * rowValues
        target.update(from: prefix.value.pointer, count: prefixValues)
        (target + prefixValues).update(from: x.value.pointer + item * tokens * width, count: tokens * width)
    }
    return Variable(out, inputs: [prefix, x]) { gradient in
        for item in 0..<batch {
            let source = gradient.pointer + item * rowValues
            if prefix.requiresGradient {
                Elementwise.accumulate(source, into: prefix.gradientBuffer().pointer, count: prefixValues)
            }
            if x.requiresGradient {
                Elementwise.accumulate(source + prefixValues, into: x.gradientBuffer().pointer + item * tokens * width,
                                       count: tokens * width)
            }
        }
    }
}

/// Keeps, for every batch item b, the tokens `indices[b]` of x [B, N, D]
/// in that order → [B, M, D]; all items keep the same count M. This is
/// the physical gather of token pruning (and, with [0], the CLS read-out).
public func gatherTokens(_ x: Variable, indices: [[Int]]) -> Variable {
    let (batch, tokens, width) = (x.shape[0], x.shape[1], x.shape[2])
    precondition(indices.count == batch, "gather: \(indices.count) index lists for batch \(batch)")
    let kept = indices.first?.count ?? 0
    precondition(indices.allSatisfy { $0.count == kept && $0.allSatisfy { (0..<tokens).contains($0) } },
                 "gather: ragged or out-of-range indices")
    let flat = indices.enumerated().flatMap { item, rows in rows.map { item * tokens + $0 } }
    let out = Tensor(uninitialized: [batch, kept, width])
    Rows.gather(x.value.pointer, width: width, indices: flat, into: out.pointer)
    return Variable(out, inputs: [x]) { gradient in
        Rows.scatterAdd(gradient.pointer, width: width, indices: flat, into: x.gradientBuffer().pointer)
    }
}

/// Mean over the token axis: [B, N, D] → [B, D].
public func meanTokens(_ x: Variable) -> Variable {
    let (batch, tokens, width) = (x.shape[0], x.shape[1], x.shape[2])
    let out = Tensor(uninitialized: [batch, width])
    Rows.mean(x.value.pointer, batch: batch, rows: tokens, width: width, into: out.pointer)
    return Variable(out, inputs: [x]) { gradient in
        Rows.meanBackward(gradient.pointer, batch: batch, rows: tokens, width: width, into: x.gradientBuffer().pointer)
    }
}

/// Concatenates along the last axis: a [..., Da] and b [..., Db] → [..., Da+Db].
/// b may also be [B, Db] against a [B, N, Da], in which case each item's
/// vector is repeated over its N tokens (a pooled global context).
public func concatFeatures(_ a: Variable, _ b: Variable) -> Variable {
    let widthA = a.shape.last!, widthB = b.shape.last!
    let rows = a.value.count / widthA
    let repeats = rows / (b.value.count / widthB)
    precondition(repeats >= 1 && rows == repeats * (b.value.count / widthB), "concat: \(a.shape) with \(b.shape)")
    let width = widthA + widthB
    let out = Tensor(uninitialized: Array(a.shape.dropLast()) + [width])
    Elementwise.copyRows(from: a.value.pointer, sourceStride: widthA, to: out.pointer, destinationStride: width,
                         rows: rows, columns: widthA)
    for row in 0..<rows {
        (out.pointer + row * width + widthA).update(from: b.value.pointer + (row / repeats) * widthB, count: widthB)
    }
    return Variable(out, inputs: [a, b]) { gradient in
        if a.requiresGradient {
            let target = a.gradientBuffer().pointer
            for row in 0..<rows {
                Elementwise.accumulate(gradient.pointer + row * width, into: target + row * widthA, count: widthA)
            }
        }
        if b.requiresGradient {
            let target = b.gradientBuffer().pointer
            for row in 0..<rows {
                Elementwise.accumulate(gradient.pointer + row * width + widthA, into: target + (row / repeats) * widthB,
                                       count: widthB)
            }
        }
    }
}
