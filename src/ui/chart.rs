//! A chart: the server renders its numbers (or a simple drawing) so a slow
//! phone never shows an empty box; once the page has hydrated, ECharts draws
//! the chart over it. ECharts is loaded from our own origin
//! (`/vendor/echarts.min.js`, installed from npm by `scripts/setup.sh`) only
//! after hydration, so it never delays the first paint.
//!
//! The ECharts instance of a chart id lives as long as the page: when a panel
//! re-renders with new data (another week, a live update) the drawn canvas is
//! moved into the new markup and given the new data, so the chart updates in
//! place (animated) instead of being redrawn from nothing.

use leptos::prelude::*;

use crate::model::chart::ChartSpec;
use crate::ui::panels::common::money;

#[component]
pub fn Chart(
    /// The chart's element id, unique on the page.
    id: &'static str,
    spec: ChartSpec,
    /// What the chart shows, for screen readers.
    label: String,
) -> impl IntoView {
    let plain = plain_bars(&spec);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| draw::show(id, spec.clone()));
    view! {
        <figure class="chart" data-chart=id role="img" aria-label=label>
            <div class="chart-fallback">{plain}</div>
            <div class="chart-canvas" id=id></div>
        </figure>
    }
}

/// The chart as plain HTML bars: what shows before ECharts draws, and
/// whenever it cannot.
fn plain_bars(spec: &ChartSpec) -> AnyView {
    let total = |i: usize| -> f64 {
        let values = spec
            .series
            .iter()
            .map(|s| s.values.get(i).copied().unwrap_or(0.0));
        if spec.stacked {
            values.sum()
        } else {
            values.fold(0.0, f64::max)
        }
    };
    let max = spec
        .max
        .unwrap_or_else(|| (0..spec.categories.len()).map(total).fold(0.0, f64::max))
        .max(f64::MIN_POSITIVE);
    let part = |i: usize, s: &crate::model::chart::ChartSeries| {
        let value = s.values.get(i).copied().unwrap_or(0.0);
        let color = s.point_colors.get(i).copied().unwrap_or(s.color);
        (value / max * 100.0, color)
    };
    let groups = spec
        .categories
        .iter()
        .enumerate()
        .map(|(i, category)| {
            let bars = spec
                .series
                .iter()
                .map(|s| {
                    let (share, color) = part(i, s);
                    let size = if spec.horizontal { "width" } else { "height" };
                    view! { <span class="plain-bar" style=format!("{size}: {share:.1}%; background: {color}")></span> }
                })
                .collect_view();
            let figures: Vec<String> = spec
                .series
                .iter()
                .map(|s| {
                    let v = s.values.get(i).copied().unwrap_or(0.0);
                    let v = if spec.money { money(v) } else { format!("{v:.0}") };
                    format!("{} {v}", s.name)
                })
                .collect();
            let title = format!("{category}: {}", figures.join(", "));
            view! {
                <div class="plain-group" title=title>
                    <span class="plain-label">{category.clone()}</span>
                    <span class="plain-track">{bars}</span>
                </div>
            }
        })
        .collect_view();
    let legend = (spec.series.len() > 1).then(|| {
        spec.series
            .iter()
            .map(|s| {
                view! { <span class="plain-key"><span class="swatch" style=format!("background: {}", s.color)></span>{s.name.clone()}</span> }
            })
            .collect_view()
    });
    let shape = match (spec.horizontal, spec.stacked) {
        (false, _) => "plain columns",
        (true, true) => "plain rows stacked",
        (true, false) => "plain rows",
    };
    view! {
        <div class=shape>{groups}</div>
        <p class="legend">{legend}</p>
    }
    .into_any()
}

#[cfg(feature = "hydrate")]
mod draw {
    use std::cell::{Cell, RefCell};
    use std::collections::HashMap;

    use charming::component::{Axis, Grid, Legend};
    use charming::datatype::{DataPoint, DataPointItem};
    use charming::element::{AxisLabel, AxisType, ItemStyle, Tooltip, Trigger};
    use charming::series::Bar;
    use charming::{Chart, Echarts, WasmRenderer};
    use js_sys::{Promise, Reflect};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{Element, HtmlScriptElement, IntersectionObserver};

    use crate::model::chart::ChartSpec;

    use crate::ui::base::at;
    const LIBRARY: &str = "/vendor/echarts.min.js";

    thread_local! {
        /// Each chart id's ECharts instance and the element it draws in.
        static CHARTS: RefCell<HashMap<&'static str, (Echarts, Element)>> = RefCell::default();
        static LOADING: RefCell<Option<Promise>> = const { RefCell::new(None) };
        static RESIZING: Cell<bool> = const { Cell::new(false) };
    }

    /// Draws chart `id` when it first scrolls into view (ECharts is loaded
    /// then, not while the page starts), or updates it at once.
    pub fn show(id: &'static str, spec: ChartSpec) {
        if CHARTS.with(|c| c.borrow().contains_key(id)) {
            return draw_now(id, spec);
        }
        let Some(slot) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(id))
        else {
            return;
        };
        let spec = RefCell::new(Some(spec));
        let seen = Closure::<dyn FnMut(js_sys::Array, IntersectionObserver)>::new(
            move |entries: js_sys::Array, observer: IntersectionObserver| {
                let visible = entries.iter().any(|e| {
                    e.unchecked_into::<web_sys::IntersectionObserverEntry>()
                        .is_intersecting()
                });
                if visible {
                    observer.disconnect();
                    if let Some(spec) = spec.borrow_mut().take() {
                        draw_now(id, spec);
                    }
                }
            },
        );
        // The canvas is hidden until drawn: watch its figure.
        let target = slot.parent_element().unwrap_or(slot);
        if let Ok(observer) = IntersectionObserver::new(seen.as_ref().unchecked_ref()) {
            observer.observe(&target);
        }
        seen.forget();
    }

    fn draw_now(id: &'static str, spec: ChartSpec) {
        leptos::task::spawn_local(async move {
            if let Err(e) = JsFuture::from(library()).await {
                leptos::logging::warn!("charts unavailable: {e:?}");
                return;
            }
            draw(id, &build(&spec));
        });
    }

    /// ECharts, loaded once per page.
    fn library() -> Promise {
        LOADING.with(|l| {
            l.borrow_mut()
                .get_or_insert_with(|| {
                    let window = web_sys::window().expect("a window");
                    if Reflect::has(&window, &"echarts".into()).unwrap_or(false) {
                        return Promise::resolve(&JsValue::UNDEFINED);
                    }
                    Promise::new(&mut |resolve, reject| {
                        let document = window.document().expect("a document");
                        let script: HtmlScriptElement = document
                            .create_element("script")
                            .expect("a script element")
                            .unchecked_into();
                        script.set_src(&at(LIBRARY));
                        script.set_onload(Some(&resolve));
                        script.set_onerror(Some(&reject));
                        if let Some(body) = document.body() {
                            let _ = body.append_child(&script);
                        }
                    })
                })
                .clone()
        })
    }

    fn draw(id: &'static str, chart: &Chart) {
        let Some(slot) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(id))
        else {
            return;
        };
        let mark_drawn = |el: &Element| {
            if let Some(figure) = el.parent_element() {
                let _ = figure.class_list().add_1("drawn");
            }
        };
        CHARTS.with(|charts| {
            let mut charts = charts.borrow_mut();
            if let Some((instance, canvas)) = charts.get(id) {
                if !canvas.is_same_node(Some(&slot)) {
                    let _ = slot.replace_with_with_node_1(canvas);
                }
                mark_drawn(canvas);
                WasmRenderer::update(instance, chart);
                return;
            }
            // Shown first, so ECharts measures its real size.
            mark_drawn(&slot);
            match WasmRenderer::new_opt(None, None).render(id, chart) {
                Ok(instance) => {
                    charts.insert(id, (instance, slot));
                }
                Err(e) => leptos::logging::warn!("chart {id}: {e:?}"),
            }
        });
        resize_with_window();
    }

    /// Charts follow the window's width (an iPhone turned sideways).
    fn resize_with_window() {
        if RESIZING.replace(true) {
            return;
        }
        let on_resize = Closure::<dyn Fn()>::new(|| {
            CHARTS.with(|charts| {
                for (instance, _) in charts.borrow().values() {
                    instance.resize(JsValue::UNDEFINED);
                }
            })
        });
        if let Some(window) = web_sys::window() {
            let _ = window
                .add_event_listener_with_callback("resize", on_resize.as_ref().unchecked_ref());
        }
        on_resize.forget();
    }

    fn build(spec: &ChartSpec) -> Chart {
        let mut category = Axis::new()
            .type_(AxisType::Category)
            .data(spec.categories.clone());
        let mut value = Axis::new().type_(AxisType::Value);
        if let Some(max) = spec.max {
            value = value.max(max);
        }
        if spec.money {
            value = value.axis_label(AxisLabel::new().formatter("${value}"));
        }
        if spec.horizontal {
            category = category.inverse(true);
        }
        let (x, y) = if spec.horizontal {
            (value, category)
        } else {
            (category, value)
        };
        let top = if spec.series.len() > 1 { 28 } else { 8 };
        let mut chart = Chart::new()
            .grid(
                Grid::new()
                    .left(4)
                    .right(16)
                    .top(top)
                    .bottom(4)
                    .contain_label(true),
            )
            .tooltip(Tooltip::new().trigger(Trigger::Axis))
            .x_axis(x)
            .y_axis(y);
        if spec.series.len() > 1 {
            chart = chart.legend(Legend::new().top(0));
        }
        for s in &spec.series {
            let data: Vec<DataPoint> = if s.point_colors.is_empty() {
                s.values.iter().map(|v| DataPoint::from(*v)).collect()
            } else {
                s.values
                    .iter()
                    .zip(&s.point_colors)
                    .map(|(v, c)| {
                        DataPointItem::new(*v)
                            .item_style(ItemStyle::new().color(*c))
                            .into()
                    })
                    .collect()
            };
            let mut bar = Bar::new()
                .name(s.name.clone())
                .data(data)
                .item_style(ItemStyle::new().color(s.color));
            if spec.stacked {
                bar = bar.stack("all");
            }
            chart = chart.series(bar);
        }
        chart
    }
}
