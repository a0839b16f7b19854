//! Which part of a long findings list to render (issue 16: the list renders only what is
//! visible). The list is groups (one per object: a header, then its entries); the part
//! outside the viewport is rendered as empty boxes of its estimated height, so that the
//! scroll bar and the scroll position stay those of the whole list.
//!
//! Pure arithmetic on pixels (CSS px, `f64`, measured from the list's top), built and tested
//! natively (`cargo test --test playground_state`); the component (findings.rs) measures the
//! heights and the viewport.

/// The estimated heights, in CSS px: those of the rendered part, measured after each
/// render, stand for the part that is not rendered.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Heights {
    /// A group's header (its `<summary>`), open or closed.
    pub header: f64,
    /// One entry, with the space to the next.
    pub entry: f64,
}

impl Default for Heights {
    /// A one-line message's card and a header in the playground's stylesheet at 16 px.
    fn default() -> Self {
        Heights {
            header: 40.0,
            entry: 100.0,
        }
    }
}

/// One group of the list: how many entries it has, and whether it is open (a closed group
/// is its header alone).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Group {
    pub entries: usize,
    pub open: bool,
}

/// One piece of the rendered list, in order.
#[derive(Clone, Debug, PartialEq)]
pub enum Piece {
    /// Groups that are not rendered: an empty box this high.
    Gap(f64),
    /// Group `index`, with its header and entries `from..to`; the entries before and after
    /// them are empty boxes `before` and `after` px high (a closed group: none, 0 and 0).
    Group {
        index: usize,
        from: usize,
        to: usize,
        before: f64,
        after: f64,
    },
}

/// The pieces that render `view` (the list's visible part, `(top, bottom)` in px from the
/// list's top, widened by the caller for what scrolls in next) of `groups`: every group
/// that overlaps it, with the entries that overlap it; the rest are gaps. Together they are
/// as high as the whole list would be at `heights`.
pub fn plan(groups: &[Group], heights: Heights, view: (f64, f64)) -> Vec<Piece> {
    let (top, bottom) = view;
    let mut pieces = Vec::new();
    let mut gap = 0.0;
    let mut y = 0.0;
    for (index, g) in groups.iter().enumerate() {
        let h = group_height(*g, heights);
        if y + h <= top || y >= bottom {
            gap += h;
        } else {
            if gap > 0.0 {
                pieces.push(Piece::Gap(gap));
                gap = 0.0;
            }
            let piece = if g.open && heights.entry > 0.0 {
                let first = y + heights.header;
                let at = |px: f64| ((px - first) / heights.entry).clamp(0.0, g.entries as f64);
                let (from, to) = (at(top).floor() as usize, at(bottom).ceil() as usize);
                Piece::Group {
                    index,
                    from,
                    to,
                    before: from as f64 * heights.entry,
                    after: (g.entries - to) as f64 * heights.entry,
                }
            } else {
                Piece::Group {
                    index,
                    from: 0,
                    to: 0,
                    before: 0.0,
                    after: 0.0,
                }
            };
            pieces.push(piece);
        }
        y += h;
    }
    if gap > 0.0 {
        pieces.push(Piece::Gap(gap));
    }
    pieces
}

fn group_height(g: Group, heights: Heights) -> f64 {
    heights.header
        + if g.open {
            g.entries as f64 * heights.entry
        } else {
            0.0
        }
}

/// The part of the list to render for a visible part `(top, bottom)` (px from the list's
/// top): a viewport's height more on either side (what a scroll or a Tab brings in next),
/// rounded out to steps of half that, so that scrolling renders again once per half a
/// viewport, not once per pixel. `viewport` is the scrolling box's height; a hidden list
/// (0 px) is rendered as if 1,000 px were visible.
pub fn widened(visible: (f64, f64), viewport: f64) -> (f64, f64) {
    let margin = if viewport > 0.0 { viewport } else { 1000.0 }.max(400.0);
    let step = margin / 2.0;
    let (top, bottom) = (visible.0, visible.1.max(visible.0 + margin));
    (
        ((top - margin) / step).floor().max(0.0) * step,
        ((bottom + margin) / step).ceil() * step,
    )
}
