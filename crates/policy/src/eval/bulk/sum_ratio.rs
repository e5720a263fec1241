//! The banded ratio of two sums over one list — 研发费用总额占同期销售收入总额的比例 — in one
//! pass over the list, in whole numbers.
//!
//! The general form sums the numerator's list, then the denominator's, each checking first that
//! every year of the window has an item, then finds the latest item for the band, each sum in
//! `Decimal`. Half of a Hubei check went there. When both sums read the same list through the
//! same window without a filter, one pass notes the years present, adds both fields as `i128`
//! and keeps the latest item. Whenever a value is not a whole number, the general form decides
//! instead, so the answer is always the general form's.

use chrono::Datelike;
use rust_decimal::Decimal;

use super::{C, CList, CWindow, Cell, Run, T, ratio_at_least};
use crate::expr::Band;

/// A banded ratio whose numerator and denominator are sums over the same list and window.
#[derive(Debug)]
pub(super) struct SumRatio {
    /// The list, its window (none, or complete years), no filter.
    pub list: CList,
    /// The numerator's item field.
    pub numerator: usize,
    /// The denominator's item field.
    pub denominator: usize,
    /// The band value: the latest item's field of the same list (`(field, by)`), or `None` to
    /// evaluate `band_by` in general.
    pub latest: Option<(usize, usize)>,
    /// The value the band is chosen by, when it is not the latest item of the list.
    pub band_by: Box<C>,
    pub bands: Vec<Band>,
    /// Each band's upper bound as a whole number, where it is one.
    pub whole_up_to: Vec<Option<i128>>,
    /// The general form, which decides whenever the whole-number pass cannot.
    pub general: Box<C>,
}

impl SumRatio {
    /// Whether the list and window are ones the single pass handles.
    pub fn fits(list: &CList) -> bool {
        list.filter.is_none()
            && match list.window {
                None => true,
                Some(CWindow::CompleteYears { years, .. }) => years < 64,
                _ => false,
            }
    }
}

const POWERS_OF_TEN: [i128; 7] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000];

/// 10²¹: below it, a whole-number numerator meets the multiplication's bound (see
/// [`ratio_at_least`]).
const TEN_TO_21: i128 = 1_000_000_000_000_000_000_000;

impl Run<'_> {
    pub(super) fn sum_ratio(&mut self, r: &SumRatio) -> T {
        match self.sum_ratio_whole(r) {
            Some(t) => t,
            None => self.truth(&r.general),
        }
    }

    /// The single pass; `None` when a value is not a whole number (or a sum leaves the range a
    /// decimal holds) and the general form must decide.
    fn sum_ratio_whole(&mut self, r: &SumRatio) -> Option<T> {
        let slot = r.list.slot;
        let Ok((start, len)) = self.list(slot) else {
            return Some(T::Unknown);
        };
        let year = self.anchor.year();
        let (window, require_all) = match r.list.window {
            Some(CWindow::CompleteYears {
                years,
                field,
                require_all,
            }) => (Some((year - years as i32, field)), require_all.then_some(years)),
            _ => (None, None),
        };
        let (mut n, mut d, mut present) = (0i128, 0i128, 0u64);
        let mut latest: Option<(i128, usize)> = None;
        for i in start as usize..(start + len) as usize {
            if let Some((by_field, _)) = r.latest.map(|(f, by)| (by, f)) {
                let key = match self.item_cell(slot, i, by_field) {
                    Cell::Num(k) if k.scale() == 0 => k.mantissa(),
                    Cell::Num(_) => return None,
                    Cell::Date(day) => i128::from(day.num_days_from_ce()),
                    _ => continue,
                };
                if latest.is_none_or(|(k, _)| key >= k) {
                    latest = Some((key, i));
                }
            }
            if let Some((first, field)) = window {
                match super::cell_year(self.item_cell(slot, i, field)) {
                    Some(y) if y >= first && y < year => present |= 1 << (y - first),
                    _ => continue,
                }
            }
            n += whole(self.item_cell(slot, i, r.numerator))?;
            d += whole(self.item_cell(slot, i, r.denominator))?;
        }
        if let Some(years) = require_all
            && present != (1u64 << years) - 1
        {
            return Some(T::Unknown);
        }
        let band_value = match r.latest {
            Some((field, _)) => match latest.map(|(_, i)| self.item_cell(slot, i, field)) {
                Some(Cell::Num(b)) => b,
                _ => return Some(T::Unknown),
            },
            None => match self.num(&r.band_by) {
                Err(_) => return Some(T::Unknown),
                Ok(None) => return Some(T::Undefined),
                Ok(Some(b)) => b,
            },
        };
        let whole_band_value = (band_value.scale() == 0).then(|| band_value.mantissa());
        let band = r
            .bands
            .iter()
            .zip(&r.whole_up_to)
            .find(|(x, whole_up_to)| match (x.up_to, whole_band_value, whole_up_to) {
                (None, ..) => true,
                (Some(_), Some(v), Some(u)) => v <= *u,
                (Some(u), ..) => band_value <= u,
            })
            .map_or(&r.bands[r.bands.len() - 1], |(x, _)| x);
        if d == 0 {
            return Some(T::False);
        }
        let min = band.min_ratio;
        let m = min.mantissa();
        if (0..TEN_TO_21).contains(&n) && (1..1 << 63).contains(&d) && min.scale() <= 6 && m.abs() < 1 << 32 {
            // n / d ≥ m / 10ˢ ⇔ n·10ˢ ≥ m·d; neither product leaves i128.
            return Some(super::tb(n * POWERS_OF_TEN[min.scale() as usize] >= m * d));
        }
        let (n, d) = (
            Decimal::try_from_i128_with_scale(n, 0).ok()?,
            Decimal::try_from_i128_with_scale(d, 0).ok()?,
        );
        Some(super::tb(ratio_at_least(n, d, min)))
    }
}

/// A cell's whole-number value: 0 for a cell that is not a number (as a sum skips it), `None`
/// for a number with decimals.
#[inline(always)]
fn whole(c: Cell) -> Option<i128> {
    match c {
        Cell::Num(x) if x.scale() == 0 => Some(x.mantissa()),
        Cell::Num(_) => None,
        _ => Some(0),
    }
}
