//! Hydration in slices: the cockpit's panels are hydrated one per browser
//! task instead of all in one long task, so a phone answers taps while the
//! page comes alive (Lighthouse's Total Blocking Time counts every task
//! over 50 ms).
//!
//! [`deferred`] wraps a view whose server HTML is one element (a panel's
//! `<section>`). Hydrating the page skips that element. Then every view
//! skipped is made, one per task, in the page's order (their resources read
//! the server's data); then each is hydrated, one per task, under the
//! reactive owner it would have had. [`hydrate_body`] starts the
//! app and runs the queue; [`when_hydrated`] runs code (the live
//! connection) once everything is hydrated. On the server, and when the
//! browser builds a page (the router going to another one), a deferred
//! view is made and rendered where it stands: the HTML is the same with or
//! without it.
//!
//! The one rule: the server makes a deferred view before it runs any
//! `Suspend` (those wait for data), the browser after hydrating the ones
//! before it. So no `Suspend` hydrated before a deferred view may make a
//! resource, `Suspense`, `Transition` or `ErrorBoundary`: they are numbered
//! in the order they are made, and the browser would read another one's
//! data (and panic on the difference). Everything inside deferred views is
//! free, as they are all made before any of them hydrates.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use leptos::prelude::*;
use leptos::tachys::html::attribute::any_attribute::AnyAttribute;
use leptos::tachys::html::attribute::Attribute;
use leptos::tachys::hydration::Cursor;
use leptos::tachys::reactive_graph::OwnedView;
use leptos::tachys::renderer::types::{Element, Node};
use leptos::tachys::renderer::{CastFrom, Rndr};
use leptos::tachys::ssr::StreamBuilder;
use leptos::tachys::view::add_attr::AddAnyAttr;
use leptos::tachys::view::{Position, PositionState};

/// A view made and hydrated later (see the module's notes). Its server HTML
/// must be a single element. It is made under an owner of its own, so the
/// contexts it provides stay inside it.
pub struct Deferred<V>(Lazy<V>);

enum Lazy<V> {
    Make(Box<dyn FnOnce() -> V + Send>),
    Made(OwnedView<V>),
}

impl<V> Lazy<V> {
    fn force(self) -> OwnedView<V> {
        match self {
            Lazy::Make(make) => {
                let owner = Owner::new();
                let view = owner.with(make);
                OwnedView::new_with_owner(view, owner)
            }
            Lazy::Made(view) => view,
        }
    }
}

/// Wraps the view `make` returns so that the page's hydration waits
/// neither for making it nor for hydrating it (see the module's notes).
pub fn deferred<V: IntoView>(make: impl FnOnce() -> V + Send + 'static) -> Deferred<V> {
    Deferred(Lazy::Make(Box::new(make)))
}

/// The view's state: empty until its queued hydration has run.
pub struct DeferredState<S> {
    /// The element the server rendered, while its hydration is pending.
    el: Option<Element>,
    inner: Rc<RefCell<Option<S>>>,
}

type StateOf<V> = <OwnedView<V> as Render>::State;

impl<V: Render> Render for Deferred<V> {
    type State = DeferredState<StateOf<V>>;

    fn build(self) -> Self::State {
        DeferredState {
            el: None,
            inner: Rc::new(RefCell::new(Some(self.0.force().build()))),
        }
    }

    fn rebuild(self, state: &mut Self::State) {
        let mut inner = state.inner.borrow_mut();
        match inner.as_mut() {
            Some(s) => self.0.force().rebuild(s),
            // Still waiting for its hydration: built anew in the server
            // element's place, and the queued hydration finds it done.
            None => {
                let mut built = self.0.force().build();
                if let Some(el) = state.el.take() {
                    let node: &Node = el.as_ref();
                    Rndr::mount_before(&mut built, node);
                    Rndr::remove(node);
                }
                *inner = Some(built);
            }
        }
    }
}

// Attributes spread onto it go to the view, which is then not deferred.
impl<V: AddAnyAttr> AddAnyAttr for Deferred<V> {
    type Output<SomeNewAttr: Attribute> = OwnedView<V::Output<SomeNewAttr>>;

    fn add_any_attr<NewAttr: Attribute>(self, attr: NewAttr) -> Self::Output<NewAttr>
    where
        Self::Output<NewAttr>: RenderHtml,
    {
        self.0.force().add_any_attr(attr)
    }
}

impl<V: RenderHtml + 'static> RenderHtml for Deferred<V> {
    type AsyncOutput = <OwnedView<V> as RenderHtml>::AsyncOutput;
    type Owned = Deferred<V::Owned>;

    const MIN_LENGTH: usize = V::MIN_LENGTH;

    fn to_html_with_buf(
        self,
        buf: &mut String,
        position: &mut Position,
        escape: bool,
        mark_branches: bool,
        extra_attrs: Vec<AnyAttribute>,
    ) {
        self.0
            .force()
            .to_html_with_buf(buf, position, escape, mark_branches, extra_attrs);
    }

    fn to_html_async_with_buf<const OUT_OF_ORDER: bool>(
        self,
        buf: &mut StreamBuilder,
        position: &mut Position,
        escape: bool,
        mark_branches: bool,
        extra_attrs: Vec<AnyAttribute>,
    ) where
        Self: Sized,
    {
        self.0.force().to_html_async_with_buf::<OUT_OF_ORDER>(
            buf,
            position,
            escape,
            mark_branches,
            extra_attrs,
        );
    }

    fn hydrate<const FROM_SERVER: bool>(
        self,
        cursor: &Cursor,
        position: &PositionState,
    ) -> Self::State {
        let inner = Rc::new(RefCell::new(None));
        match next_element::<FROM_SERVER>(cursor, position) {
            Some(el) => {
                queue::push(Owner::current(), Rc::downgrade(&inner), el.clone(), self.0);
                DeferredState {
                    el: Some(el),
                    inner,
                }
            }
            None => {
                *inner.borrow_mut() = Some(self.0.force().hydrate::<FROM_SERVER>(cursor, position));
                DeferredState { el: None, inner }
            }
        }
    }

    async fn resolve(self) -> Self::AsyncOutput {
        self.0.force().resolve().await
    }

    fn dry_resolve(&mut self) {
        // Made now, in the page's order, before any `Suspend` has run (see
        // the module's notes).
        // (The stand-in is replaced two lines down, never called.)
        let lazy = std::mem::replace(&mut self.0, Lazy::Make(Box::new(|| unreachable!())));
        let mut view = lazy.force();
        view.dry_resolve();
        self.0 = Lazy::Made(view);
    }

    // Erasing a view (`into_any`) takes it owned: still deferred.
    fn into_owned(self) -> Self::Owned {
        Deferred(match self.0 {
            Lazy::Make(make) => Lazy::Make(Box::new(move || make().into_owned())),
            Lazy::Made(view) => Lazy::Made(view.into_owned()),
        })
    }
}

/// Moves the cursor onto the element the server rendered next and past it,
/// as hydrating that element would: `None` (cursor unmoved) when the next
/// node is not an element, or when hydrating from a template.
fn next_element<const FROM_SERVER: bool>(
    cursor: &Cursor,
    position: &PositionState,
) -> Option<Element> {
    if !FROM_SERVER {
        return None;
    }
    let (before, at) = (cursor.current(), position.get());
    match at {
        Position::FirstChild => cursor.child(),
        Position::Current => {}
        _ => cursor.sibling(),
    }
    let next = cursor.current();
    // `child()` stays put when there is no child: not the next element.
    let moved = at == Position::Current || next != before;
    match Element::cast_from(next) {
        Some(el) if moved => {
            position.set(Position::NextChild);
            Some(el)
        }
        _ => {
            cursor.set(before);
            position.set(at);
            None
        }
    }
}

impl<S: Mountable> Mountable for DeferredState<S> {
    fn unmount(&mut self) {
        match self.inner.borrow_mut().as_mut() {
            Some(s) => s.unmount(),
            None => {
                if let Some(el) = &self.el {
                    Rndr::remove(el.as_ref());
                }
            }
        }
    }

    fn mount(&mut self, parent: &Element, marker: Option<&Node>) {
        match self.inner.borrow_mut().as_mut() {
            Some(s) => s.mount(parent, marker),
            None => {
                if let Some(el) = &self.el {
                    Rndr::insert_node(parent, el.as_ref(), marker);
                }
            }
        }
    }

    fn insert_before_this(&self, child: &mut dyn Mountable) -> bool {
        if let Some(s) = self.inner.borrow().as_ref() {
            return s.insert_before_this(child);
        }
        let Some(el) = &self.el else { return false };
        let node: &Node = el.as_ref();
        match Rndr::get_parent(node).and_then(Element::cast_from) {
            Some(parent) => {
                child.mount(&parent, Some(node));
                true
            }
            None => false,
        }
    }

    fn elements(&self) -> Vec<Element> {
        match (self.inner.borrow().as_ref(), &self.el) {
            (Some(s), _) => s.elements(),
            (None, Some(el)) => vec![el.clone()],
            (None, None) => Vec::new(),
        }
    }
}

/// Runs `f` once the whole page is hydrated (at once, if it is), under the
/// reactive owner of the caller.
pub fn when_hydrated(f: impl FnOnce() + 'static) {
    let owner = Owner::current();
    queue::after(Box::new(move || match owner {
        Some(owner) => owner.with(f),
        None => f(),
    }));
}

/// Hydrates the app from `<body>` like `leptos::mount::hydrate_body`, then
/// the [`Deferred`] views one per task; the server's data stay readable
/// until the last one is done.
#[cfg(feature = "hydrate")]
pub fn hydrate_body<F, N>(f: F)
where
    F: FnOnce() -> N + 'static,
    N: IntoView,
{
    use leptos::wasm_bindgen::JsCast;
    use std::sync::Arc;

    _ = any_spawner::Executor::init_wasm_bindgen();
    let owner = Owner::new_root(Some(Arc::new(
        hydration_context::HydrateSharedContext::new(),
    )));
    let state = owner.with(|| {
        f().into_view().hydrate::<true>(
            &Cursor::new(leptos::tachys::dom::body().unchecked_into()),
            &PositionState::default(),
        )
    });
    // The page lives as long as the document.
    std::mem::forget(state);
    queue::run(owner);
}

mod queue {
    use super::*;
    use std::collections::VecDeque;

    type Job = Box<dyn FnOnce()>;

    #[derive(Default)]
    struct Queue {
        /// Views to make, one per task, all before any is hydrated.
        makes: VecDeque<Job>,
        /// Hydrations, one per task.
        jobs: VecDeque<Job>,
        after: Vec<Job>,
        done: bool,
    }

    thread_local! {
        static QUEUE: RefCell<Queue> = RefCell::default();
    }

    /// Queues the view to be made (a task of its own, before any queued
    /// view is hydrated), then hydrated from `el` (another task).
    pub(super) fn push<V: RenderHtml + 'static>(
        owner: Option<Owner>,
        slot: Weak<RefCell<Option<StateOf<V>>>>,
        el: Element,
        view: Lazy<V>,
    ) {
        let made = Rc::new(RefCell::new(None));
        let make = {
            let (owner, made, slot) = (owner.clone(), Rc::clone(&made), slot.clone());
            move || {
                // Gone already (the router went to another page): not made.
                if slot.upgrade().is_none() {
                    return;
                }
                let view = match owner {
                    Some(owner) => owner.with(|| view.force()),
                    None => view.force(),
                };
                *made.borrow_mut() = Some(view);
            }
        };
        let hydrate = move || {
            // Gone (the page moved on) or already built by a rebuild.
            let Some(slot) = slot.upgrade() else { return };
            let Some(view) = made.take() else { return };
            if slot.borrow().is_some() {
                return;
            }
            let hydrate =
                || view.hydrate::<true>(&Cursor::new(el), &PositionState::new(Position::Current));
            let state = match owner {
                Some(owner) => owner.with(hydrate),
                None => hydrate(),
            };
            *slot.borrow_mut() = Some(state);
        };
        QUEUE.with_borrow_mut(|q| {
            q.makes.push_back(Box::new(make));
            q.jobs.push_back(Box::new(hydrate));
        });
    }

    pub(super) fn after(f: Job) {
        let now = QUEUE.with_borrow_mut(|q| {
            if q.done {
                Some(f)
            } else {
                q.after.push(f);
                None
            }
        });
        if let Some(f) = now {
            f();
        }
    }

    /// Runs, a task at a time, the next view to make or else the next
    /// hydration; once there is none, the `after` callbacks.
    #[cfg(feature = "hydrate")]
    pub(super) fn run(root: Owner) {
        let next = QUEUE.with_borrow_mut(|q| q.makes.pop_front().or_else(|| q.jobs.pop_front()));
        match next {
            Some(job) => set_timeout(
                move || {
                    job();
                    run(root);
                },
                std::time::Duration::ZERO,
            ),
            None => {
                if let Some(sc) = root.shared_context() {
                    sc.hydration_complete();
                }
                std::mem::forget(root);
                let after = QUEUE.with_borrow_mut(|q| {
                    q.done = true;
                    std::mem::take(&mut q.after)
                });
                for f in after {
                    f();
                }
            }
        }
    }
}
