//! 随机抽取 — the deterministic generator behind 双随机、一公开 draws.
//!
//! A draw is published with its seed, its parameters and its candidate list; anyone can rerun it
//! by hand or with the script in `docs/draws.md` and must get the same selection. So the generator
//! is plain and fixed (algorithm `guohe-draw/1`):
//!
//! - **Numbers.** Block `i` (i = 0, 1, 2, …) is `SM3(seed ‖ i)` where `seed` is the seed's UTF-8
//!   bytes and `i` is 8 bytes big-endian; its first 8 bytes, big-endian, are the 64-bit value
//!   `x_i`. Every value is used once, in order, by one generator for the whole draw.
//! - **Uniform integer below `n`.** Let `limit = 2^64 − (2^64 mod n)`. Take the next value `x`;
//!   while `x ≥ limit` take another (rejection, so every result is exactly equally likely); the
//!   result is `x mod n`.
//! - **Choosing `k` of `m`.** The candidates are sorted by their key (byte-wise ascending). For
//!   `i = 0 … k−1`: `j = i + uniform(m − i)`, swap positions `i` and `j` (a partial
//!   Fisher–Yates shuffle). The first `k` positions, in that order, are the selection.
//! - **Strata.** Strata are taken in key order; each stratum's quota comes from
//!   [`allocate`] (largest remainder) and its members are chosen as above, the generator carrying
//!   on from where the previous stratum left it.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use sm3::{Digest, Sm3};

/// The name of the algorithm, recorded in every draw event so a later change cannot silently
/// reinterpret an old draw.
pub const ALGORITHM: &str = "guohe-draw/1";

/// The published generator: SM3 of the seed and a block counter.
#[derive(Debug, Clone)]
pub struct DrawRng {
    seed: Vec<u8>,
    counter: u64,
}

impl DrawRng {
    /// A generator for a seed (its UTF-8 bytes, as published).
    pub fn new(seed: &str) -> DrawRng {
        DrawRng {
            seed: seed.as_bytes().to_vec(),
            counter: 0,
        }
    }

    /// How many 64-bit values have been used so far.
    pub fn used(&self) -> u64 {
        self.counter
    }

    /// The next 64-bit value: the first 8 bytes of `SM3(seed ‖ counter_be64)`.
    pub fn next_u64(&mut self) -> u64 {
        let mut h = Sm3::new();
        h.update(&self.seed);
        h.update(self.counter.to_be_bytes());
        let digest = h.finalize();
        self.counter += 1;
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_be_bytes(first)
    }

    /// A uniform integer in `0..n` by rejection sampling (`n` ≥ 1; `n` = 0 gives 0 and uses no
    /// value, since there is nothing to choose).
    pub fn below(&mut self, n: u64) -> u64 {
        if n <= 1 {
            return 0;
        }
        // 2^64 mod n, computed without 128-bit arithmetic: (2^64 − n) mod n.
        let rem = n.wrapping_neg() % n;
        // Accept x < 2^64 − rem, i.e. x ≤ u64::MAX − rem: the accepted range is a whole number
        // of copies of 0..n, so every result is equally likely.
        let last = u64::MAX - rem;
        loop {
            let x = self.next_u64();
            if x <= last {
                return x % n;
            }
        }
    }

    /// Chooses `k` of the items (already in key order) by a partial Fisher–Yates shuffle; returns
    /// the chosen items in the order drawn. `k` larger than the list takes them all.
    pub fn choose<T: Clone>(&mut self, items: &[T], k: usize) -> Vec<T> {
        let mut a: Vec<T> = items.to_vec();
        let k = k.min(a.len());
        for i in 0..k {
            let j = i + self.below((a.len() - i) as u64) as usize;
            a.swap(i, j);
        }
        a.truncate(k);
        a
    }
}

/// How many to draw from `population` for a share: `⌈share × population⌉`, so a positive share
/// of a non-empty list always draws at least one. `None` when the share is not in (0, 1].
pub fn count_for_share(share: Decimal, population: usize) -> Option<usize> {
    if share <= Decimal::ZERO || share > Decimal::ONE {
        return None;
    }
    (share * Decimal::from(population as u64)).ceil().to_usize()
}

/// 分层配额 — splits `total` over strata of the given sizes by the largest-remainder method:
/// stratum `s` first gets `⌊total × size_s / N⌋`; the seats left over go one each to the strata
/// with the largest remainders `total × size_s mod N`, ties to the larger stratum, then to the
/// earlier stratum in key order. Sizes are in stratum key order; `total` is capped at `N`.
/// No stratum ever gets more than its size.
pub fn allocate(total: usize, sizes: &[usize]) -> Vec<usize> {
    let n: usize = sizes.iter().sum();
    if n == 0 {
        return vec![0; sizes.len()];
    }
    let total = total.min(n);
    let mut quota: Vec<usize> = sizes.iter().map(|s| total * s / n).collect();
    let left = total - quota.iter().sum::<usize>();
    let mut order: Vec<usize> = (0..sizes.len()).collect();
    order.sort_by(|&a, &b| {
        let ra = total * sizes[a] % n;
        let rb = total * sizes[b] % n;
        rb.cmp(&ra).then(sizes[b].cmp(&sizes[a])).then(a.cmp(&b))
    });
    for &s in order.iter().take(left) {
        quota[s] += 1;
    }
    quota
}

#[cfg(test)]
mod tests {
    use super::*;

    // The expected values below were written down once from the independent Python script in
    // docs/draws.md (hashlib's SM3), not from this code; any change to the algorithm fails here.

    #[test]
    fn first_values_of_a_published_seed() {
        let mut r = DrawRng::new("guohe-2026");
        let v: Vec<u64> = (0..3).map(|_| r.next_u64()).collect();
        assert_eq!(v, VECTOR_U64);
        assert_eq!(r.used(), 3);
    }

    #[test]
    fn uniform_integers_of_a_published_seed() {
        let mut r = DrawRng::new("guohe-2026");
        let v: Vec<u64> = [10, 7, 3, 1000].iter().map(|&n| r.below(n)).collect();
        assert_eq!(v, VECTOR_BELOW);
    }

    #[test]
    fn choosing_three_of_ten_is_the_published_selection() {
        let items: Vec<String> = (1..=10).map(|i| format!("B{i:02}")).collect();
        let mut r = DrawRng::new("鄂科技-2026-年度考核");
        let got = r.choose(&items, 3);
        assert_eq!(got, VECTOR_CHOOSE);
    }

    #[test]
    fn same_seed_same_selection_other_seed_other_selection() {
        let items: Vec<u32> = (0..50).collect();
        let a = DrawRng::new("s").choose(&items, 10);
        let b = DrawRng::new("s").choose(&items, 10);
        let c = DrawRng::new("t").choose(&items, 10);
        assert_eq!(a, b);
        assert_ne!(a, c);
        let mut dedup = a.clone();
        dedup.sort();
        dedup.dedup();
        assert_eq!(dedup.len(), 10, "a selection never repeats a candidate");
    }

    #[test]
    fn below_stays_in_range_and_rejects_at_the_top() {
        let mut r = DrawRng::new("range");
        for n in [1u64, 2, 3, 5, 1 << 63, (1 << 63) + 1, u64::MAX] {
            for _ in 0..20 {
                assert!(r.below(n) < n.max(1));
            }
        }
    }

    #[test]
    fn shares_round_up() {
        assert_eq!(count_for_share(Decimal::new(2, 1), 11), Some(3));
        assert_eq!(count_for_share(Decimal::new(2, 1), 10), Some(2));
        assert_eq!(count_for_share(Decimal::new(1, 2), 3), Some(1));
        assert_eq!(count_for_share(Decimal::ONE, 4), Some(4));
        assert_eq!(count_for_share(Decimal::ZERO, 4), None);
        assert_eq!(count_for_share(Decimal::new(11, 1), 4), None);
    }

    #[test]
    fn largest_remainder_allocation() {
        // 7 of 20 over strata of 9, 6, 5: exact 3.15, 2.1, 1.75 → 3, 2, 1 and one left, which goes
        // to the largest remainder (1.75).
        assert_eq!(allocate(7, &[9, 6, 5]), vec![3, 2, 2]);
        // Equal remainders: the larger stratum first, then key order.
        assert_eq!(allocate(1, &[2, 2]), vec![1, 0]);
        assert_eq!(allocate(1, &[1, 3]), vec![0, 1]);
        assert_eq!(allocate(3, &[1, 1, 1, 1]), vec![1, 1, 1, 0]);
        assert_eq!(allocate(50, &[2, 3]), vec![2, 3]);
        assert_eq!(allocate(0, &[2, 3]), vec![0, 0]);
        assert_eq!(allocate(3, &[]), Vec::<usize>::new());
        for total in 0..=12 {
            let sizes = [5, 4, 3];
            let q = allocate(total, &sizes);
            assert_eq!(q.iter().sum::<usize>(), total);
            assert!(q.iter().zip(sizes).all(|(q, s)| *q <= s));
        }
    }

    const VECTOR_U64: [u64; 3] = [3706859738617665787, 1533941689675831048, 11833449318613362217];
    const VECTOR_BELOW: [u64; 4] = [7, 4, 1, 276];
    const VECTOR_CHOOSE: [&str; 3] = ["B07", "B01", "B06"];
}
