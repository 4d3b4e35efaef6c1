//! The order a run's repetitions go in: rounds across cells (the default), or cell by
//! cell.
//!
//! On a shared machine the kernels' speed changes in phases of seconds (docs/noise.md).
//! Run cell by cell, a whole cell can land in a slow phase and a comparison between two
//! cells then measures the machine. In rounds — repetition 1 of every cell in plan
//! order, then repetition 2 of every cell, … — every cell's repetitions are spread over
//! the whole run, so their medians sample the same phases. No figure is corrected: only
//! the order changes.

/// One slot of the schedule: which repetition round, and which cell (indices into the
/// plan's filtered cells), both from 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Slot {
    /// The repetition's index within its cell (the round, when interleaved).
    pub round: usize,
    /// The cell's index in plan order.
    pub cell: usize,
}

/// Every (round, cell) pair once: round-major when `interleaved`, else cell-major.
pub(crate) fn schedule(cells: usize, repetitions: usize, interleaved: bool) -> Vec<Slot> {
    let mut slots = Vec::with_capacity(cells * repetitions);
    if interleaved {
        for round in 0..repetitions {
            slots.extend((0..cells).map(|cell| Slot { round, cell }));
        }
    } else {
        for cell in 0..cells {
            slots.extend((0..repetitions).map(|round| Slot { round, cell }));
        }
    }
    slots
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(slots: &[Slot]) -> Vec<(usize, usize)> {
        slots.iter().map(|s| (s.round, s.cell)).collect()
    }

    #[test]
    fn rounds_visit_every_cell_before_the_next_repetition() {
        assert_eq!(
            pairs(&schedule(2, 3, true)),
            [(0, 0), (0, 1), (1, 0), (1, 1), (2, 0), (2, 1)]
        );
    }

    #[test]
    fn cell_by_cell_finishes_a_cell_first() {
        assert_eq!(
            pairs(&schedule(2, 3, false)),
            [(0, 0), (1, 0), (2, 0), (0, 1), (1, 1), (2, 1)]
        );
    }

    #[test]
    fn empty_plans_have_no_slots() {
        assert!(schedule(0, 3, true).is_empty());
        assert!(schedule(3, 0, false).is_empty());
    }
}
