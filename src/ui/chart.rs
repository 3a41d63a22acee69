//! A chart: the server renders its numbers (or a simple drawing) so a slow
//! phone never shows an empty box; once the page has hydrated, ECharts draws
//! the chart over it, from the option the server wrote with charming
//! (`server::charts`), which the panel carries as JSON. ECharts is loaded from our own origin
//! (`/vendor/echarts.min.js`, installed from npm by `scripts/setup.sh`) only
//! after hydration, so it never delays the first paint.
//!
//! The ECharts instance of a chart id lives as long as the page (in a
//! registry the app provides, [`provide_charts`]): when a panel re-renders
//! with new data (another week, a live update) the drawn canvas is moved
//! into the new markup (found through a `NodeRef`) and given the new data,
//! so the chart updates in place (animated) instead of being redrawn from
//! nothing. The id stays on the element for ECharts' own lookups and tests.

use leptos::prelude::*;

use crate::model::chart::{ChartOption, ChartSpec};
use crate::ui::panels::common::money;

#[component]
pub fn Chart(
    /// The chart's element id, unique on the page.
    id: &'static str,
    /// What ECharts draws.
    option: ChartOption,
    /// What the chart shows, for screen readers.
    label: String,
    /// What shows until ECharts has drawn (and whenever it cannot): the
    /// numbers as plain HTML, in the same space.
    children: Children,
) -> impl IntoView {
    let plain = children();
    let canvas = NodeRef::<leptos::html::Div>::new();
    #[cfg(feature = "hydrate")]
    {
        let charts = expect_context::<draw::Charts>();
        // Lives as long as this chart: stops watching for it when it goes.
        let watch = StoredValue::new_local(None);
        Effect::new(move |_| {
            if let Some(element) = canvas.get() {
                watch.set_value(draw::show(charts, id, element.into(), option.clone()));
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = option;
    view! {
        <figure class="chart" data-chart=id role="img" aria-label=label>
            <div class="chart-fallback">{plain}</div>
            <div class="chart-canvas" id=id node_ref=canvas></div>
        </figure>
    }
}

/// The page's chart registry (browser only): call once, in the app.
pub fn provide_charts() {
    #[cfg(feature = "hydrate")]
    draw::provide();
}

/// A bar chart as plain HTML bars: what shows before ECharts draws, and
/// whenever it cannot.
pub fn plain_bars(spec: &ChartSpec) -> AnyView {
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
        (value / max * 100.0, s.color)
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
    use std::collections::HashMap;

    use js_sys::{Promise, Reflect};
    use leptos::prelude::*;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{Element, HtmlScriptElement, IntersectionObserver};

    use crate::model::chart::ChartOption;
    use crate::ui::base::at;

    const LIBRARY: &str = "/vendor/echarts.min.js";

    #[wasm_bindgen]
    extern "C" {
        /// An ECharts instance.
        type Echarts;

        /// `echarts.init(element)`.
        #[wasm_bindgen(js_namespace = echarts, js_name = init)]
        fn init(element: &Element) -> Echarts;

        #[wasm_bindgen(method, js_name = setOption)]
        fn set_option(this: &Echarts, option: &JsValue);

        #[wasm_bindgen(method)]
        fn resize(this: &Echarts);
    }

    /// The page's charts: each chart id's ECharts instance and the element
    /// it draws in, and ECharts itself once loaded. Owned by the app.
    #[derive(Default)]
    pub struct Registry {
        drawn: HashMap<&'static str, (Echarts, Element)>,
        library: Option<Promise>,
    }

    pub type Charts = StoredValue<Registry, LocalStorage>;

    /// Provides the registry; charts follow the window's width (an iPhone
    /// turned sideways).
    pub fn provide() {
        let charts: Charts = StoredValue::new_local(Registry::default());
        provide_context(charts);
        let resize = window_event_listener(leptos::ev::resize, move |_| {
            charts.with_value(|r| {
                for (instance, _) in r.drawn.values() {
                    instance.resize();
                }
            });
        });
        on_cleanup(move || resize.remove());
    }

    /// Watches a chart's figure until it scrolls into view; dropping it
    /// (with the chart) stops watching.
    pub struct Watch {
        observer: IntersectionObserver,
        _seen: Closure<dyn FnMut(js_sys::Array, IntersectionObserver)>,
    }

    impl Drop for Watch {
        fn drop(&mut self) {
            self.observer.disconnect();
        }
    }

    /// Draws chart `id` in `canvas` when it first scrolls into view
    /// (ECharts is loaded then, not while the page starts). A chart drawn
    /// before (another week, a live update) keeps its instance: its canvas
    /// takes the new element's place and is given the new option, so it
    /// updates in place, animated.
    pub fn show(
        charts: Charts,
        id: &'static str,
        canvas: Element,
        option: ChartOption,
    ) -> Option<Watch> {
        let drawn = charts.with_value(|r| r.drawn.contains_key(id));
        if drawn {
            draw_now(charts, id, canvas, option);
            return None;
        }
        let target = canvas.parent_element().unwrap_or_else(|| canvas.clone());
        let mut pending = Some((canvas, option));
        let seen = Closure::<dyn FnMut(js_sys::Array, IntersectionObserver)>::new(
            move |entries: js_sys::Array, observer: IntersectionObserver| {
                let visible = entries.iter().any(|e| {
                    e.unchecked_into::<web_sys::IntersectionObserverEntry>()
                        .is_intersecting()
                });
                if visible {
                    observer.disconnect();
                    if let Some((canvas, option)) = pending.take() {
                        draw_now(charts, id, canvas, option);
                    }
                }
            },
        );
        // The canvas is hidden until drawn: watch its figure.
        let observer = IntersectionObserver::new(seen.as_ref().unchecked_ref()).ok()?;
        observer.observe(&target);
        Some(Watch {
            observer,
            _seen: seen,
        })
    }

    fn draw_now(charts: Charts, id: &'static str, canvas: Element, option: ChartOption) {
        let Some(library) = library(charts) else {
            return;
        };
        let Ok(option) = js_sys::JSON::parse(&option.0) else {
            leptos::logging::warn!("chart {id}: the server's option is not JSON");
            return;
        };
        // Reduced motion (an iPhone's accessibility setting): no animation.
        let still = window()
            .match_media("(prefers-reduced-motion: reduce)")
            .ok()
            .flatten()
            .is_some_and(|m| m.matches());
        if still {
            let _ = Reflect::set(&option, &"animation".into(), &JsValue::FALSE);
        }
        leptos::task::spawn_local(async move {
            if let Err(e) = JsFuture::from(library).await {
                leptos::logging::warn!("charts unavailable: {e:?}");
                return;
            }
            draw(charts, id, canvas, &option);
        });
    }

    /// ECharts, loaded once per page.
    fn library(charts: Charts) -> Option<Promise> {
        charts.try_update_value(|r| {
            r.library
                .get_or_insert_with(|| {
                    let window = window();
                    if Reflect::has(&window, &"echarts".into()).unwrap_or(false) {
                        return Promise::resolve(&JsValue::UNDEFINED);
                    }
                    Promise::new(&mut |resolve, reject| {
                        let Ok(script) = document().create_element("script") else {
                            return;
                        };
                        let script: HtmlScriptElement = script.unchecked_into();
                        script.set_src(&at(LIBRARY));
                        script.set_onload(Some(&resolve));
                        script.set_onerror(Some(&reject));
                        if let Some(body) = document().body() {
                            let _ = body.append_child(&script);
                        }
                    })
                })
                .clone()
        })
    }

    fn draw(charts: Charts, id: &'static str, canvas: Element, option: &JsValue) {
        let mark_drawn = |el: &Element| {
            if let Some(figure) = el.parent_element() {
                let _ = figure.class_list().add_1("drawn");
            }
        };
        charts.try_update_value(|r| {
            if let Some((instance, drawn)) = r.drawn.get(id) {
                if !drawn.is_same_node(Some(&canvas)) && canvas.is_connected() {
                    let _ = canvas.replace_with_with_node_1(drawn);
                }
                mark_drawn(drawn);
                instance.set_option(option);
                return;
            }
            // Shown first, so ECharts measures its real size.
            mark_drawn(&canvas);
            let instance = init(&canvas);
            instance.set_option(option);
            r.drawn.insert(id, (instance, canvas));
        });
    }
}
