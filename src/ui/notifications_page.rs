//! `/settings/notifications`: what each person hears about and where
//! (rules × channels), when not (time zone, quiet hours), their webhook and
//! the browsers that show push notifications; for the admin, the newest
//! notifications with their state and a resend button.
//!
//! Plain HTML forms posted to the server functions, which send the browser
//! back to this page: the page works the same with or without the wasm
//! (no optimistic state to keep, unlike the feed's inline changes). The
//! push button needs the browser's Push API, so it is `public/push.js`,
//! loaded by this page only: the bundle every page downloads stays as it is.

use chrono::Utc;
use leptos::prelude::*;

use crate::error::AppError;
use crate::model::notifications::{
    rule_label, NotificationSettings, OutboxRow, PushDevice, CHANNELS, PRESETS,
};
use crate::model::Role;
use crate::server_fns::notifications::{
    get_notification_settings, get_recent_notifications, PushUnsubscribe, ResendNotification,
    SaveNotificationRules, SaveNotificationSchedule, SaveNotificationWebhook,
};
use crate::ui::base::at;
use crate::ui::panels::common::{panel_error, relative};

fn path_of<F: leptos::server_fn::ServerFn>() -> String {
    at(F::PATH)
}

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let settings = OnceResource::new(get_notification_settings());
    // A refused form comes back in the address (`__err`).
    let refused = use_context::<leptos::server::ServerActionError>().map(|e| {
        leptos::server_fn::error::ServerFnUrlError::<AppError>::decode_err(e.err()).to_string()
    });
    view! {
        <section class="panel notify-page" aria-labelledby="notify-heading">
            <h1 id="notify-heading">"Notifications"</h1>
            {refused.map(|m| view! { <p class="error notice" role="alert">"Not saved: "{m}</p> })}
            <Suspense fallback=|| view! { <p class="loading">"Loading your settings…"</p> }>
                {move || Suspend::new(async move {
                    match settings.await {
                        Ok(s) => view! { <Settings s/> }.into_any(),
                        Err(e) => panel_error("your notification settings", e),
                    }
                })}
            </Suspense>
        </section>
        <script src=at("/push.js") defer></script>
    }
}

#[component]
fn Settings(s: NotificationSettings) -> impl IntoView {
    let changed = relative(Utc::now(), s.updated_at);
    let admin = s.role == Role::Admin;
    view! {
        <p class="notify-intro">
            "Sent to "<strong>{s.email.clone()}</strong>" · settings changed "{changed}
            {(!s.email_on).then(|| view! { <span class="notify-warn">" · no email relay is set up on this server: email waits until one is"</span> })}
        </p>
        <Rules s=s.clone()/>
        <div class="notify-columns">
            <Schedule s=s.clone()/>
            <Webhook s=s.clone()/>
        </div>
        <Push vapid_key=s.push_key.clone() devices=s.devices.clone()/>
        {admin.then(|| view! { <Outbox/> })}
    }
}

/// The grid: one row per rule, a box per channel.
#[component]
fn Rules(s: NotificationSettings) -> impl IntoView {
    let ready = [true, s.webhook_url.is_some(), !s.devices.is_empty()];
    let heads = CHANNELS
        .iter()
        .zip(ready)
        .map(|(c, ready)| {
            let name = match *c {
                "email" => "Email",
                "webhook" => "Webhook",
                _ => "Push",
            };
            view! {
                <th scope="col">{name}
                    {(!ready).then(|| view! { <span class="notify-off">"not set up"</span> })}
                </th>
            }
        })
        .collect_view();
    let mut index = 0;
    let rows = s
        .rules
        .iter()
        .map(|r| {
            let cells = CHANNELS
                .iter()
                .zip(r.on)
                .map(|(channel, on)| {
                    let name = format!("on[{index}]");
                    index += 1;
                    let label = format!("{} by {channel}", rule_label(&r.rule));
                    view! {
                        <td>
                            <input type="checkbox" name=name value=format!("{}:{channel}", r.rule)
                                checked=on aria-label=label/>
                        </td>
                    }
                })
                .collect_view();
            view! { <tr><th scope="row">{rule_label(&r.rule)}</th>{cells}</tr> }
        })
        .collect_view();
    view! {
        <form class="notify-rules" method="post" action={path_of::<SaveNotificationRules>()}>
            <h2>"What you hear about"</h2>
            <div class="table-wrap">
                <table>
                    <thead><tr><th scope="col">"When"</th>{heads}</tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <button type="submit" class="button primary">"Save rules"</button>
        </form>
    }
}

#[component]
fn Schedule(s: NotificationSettings) -> impl IntoView {
    view! {
        <form class="notify-schedule" method="post" action={path_of::<SaveNotificationSchedule>()}>
            <h2>"Quiet hours"</h2>
            <p class="hint">"Nothing is sent between these times, in your time zone; what waits is sent when they end, together."</p>
            <label>"Time zone"
                <input type="text" name="time_zone" value=s.time_zone.clone() required
                    autocomplete="off" spellcheck="false" placeholder="America/Chicago"/>
            </label>
            <div class="notify-times">
                <label>"From"<input type="time" name="quiet_start" value=s.quiet_start.clone().unwrap_or_default()/></label>
                <label>"Until"<input type="time" name="quiet_end" value=s.quiet_end.clone().unwrap_or_default()/></label>
            </div>
            <button type="submit" class="button primary">"Save quiet hours"</button>
        </form>
    }
}

#[component]
fn Webhook(s: NotificationSettings) -> impl IntoView {
    let options = PRESETS
        .iter()
        .map(|(p, label)| {
            view! { <option value=*p selected=s.webhook_preset == *p>{*label}</option> }
        })
        .collect_view();
    view! {
        <form class="notify-webhook" method="post" action={path_of::<SaveNotificationWebhook>()}>
            <h2>"Webhook"</h2>
            <p class="hint">"Slack, Google Chat and Discord incoming webhooks, any HTTPS receiver, or SMS through Twilio. Leave the address empty to stop."</p>
            <label>"Address"
                <input type="url" name="url" value=s.webhook_url.clone().unwrap_or_default()
                    placeholder="https://hooks.slack.com/services/…" autocomplete="off"/>
            </label>
            <label>"Format"<select name="preset">{options}</select></label>
            <label>"Phone number for SMS"
                <input type="tel" name="sms_to" value=s.webhook_sms_to.clone().unwrap_or_default()
                    placeholder="+15551234567" autocomplete="tel"/>
            </label>
            <details class="notify-secret">
                <summary>"Signing secret"</summary>
                <p class="hint">"Every request carries X-RPM-Signature: v1=HMAC-SHA256(secret, timestamp + \".\" + body)."</p>
                <code>{s.webhook_secret.clone()}</code>
            </details>
            <button type="submit" class="button primary">"Save webhook"</button>
        </form>
    }
}

/// Web Push: the button (public/push.js) and the browsers already on.
#[component]
fn Push(vapid_key: Option<String>, devices: Vec<PushDevice>) -> impl IntoView {
    let now = Utc::now();
    let list = devices
        .into_iter()
        .map(|d| {
            let last = d
                .last_sent_at
                .map(|t| format!("last notified {}", relative(now, t)))
                .unwrap_or_else(|| "nothing sent yet".into());
            let name = if d.device.is_empty() { "A browser".to_string() } else { d.device.clone() };
            view! {
                <li class="notify-device">
                    <span><strong>{name}</strong>" · on since "{relative(now, d.created_at)}" · "{last}</span>
                    <form method="post" action={path_of::<PushUnsubscribe>()}>
                        <input type="hidden" name="id" value=d.id.to_string()/>
                        <button type="submit" class="button">"Remove"</button>
                    </form>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="notify-push" aria-labelledby="push-heading">
            <h2 id="push-heading">"Push on this device"</h2>
            {match vapid_key {
                Some(key) => view! {
                    <p class="hint">"On an iPhone (iOS 16.4 or later), add the cockpit to the Home Screen first, then open it from there and turn push on."</p>
                    <button type="button" class="button primary" id="push-toggle" data-key=key disabled>"Turn on for this browser"</button>
                    <p id="push-status" class="hint" role="status" aria-live="polite"></p>
                }.into_any(),
                None => view! { <p class="hint">"Web Push is off on this server (no VAPID key is set)."</p> }.into_any(),
            }}
            <ul class="notify-devices">{list}</ul>
        </section>
    }
}

/// The newest notifications to everyone, with their state (admin).
#[component]
fn Outbox() -> impl IntoView {
    let rows = OnceResource::new(get_recent_notifications());
    view! {
        <section class="notify-outbox" aria-labelledby="outbox-heading">
            <h2 id="outbox-heading">"Recent notifications"</h2>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match rows.await {
                        Ok(rows) if rows.is_empty() => view! { <p class="empty">"Nothing has been sent yet."</p> }.into_any(),
                        Ok(rows) => view! { <OutboxTable rows/> }.into_any(),
                        Err(e) => panel_error("the notifications", e),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn OutboxTable(rows: Vec<OutboxRow>) -> impl IntoView {
    let now = Utc::now();
    let body = rows
        .into_iter()
        .map(|r| {
            let state = match r.state.as_str() {
                "failed" => format!("failed, retry {}", relative(now, r.next_attempt_at)),
                "queued" if r.next_attempt_at > now => {
                    format!("waiting, next try {}", relative(now, r.next_attempt_at))
                }
                other => other.to_string(),
            };
            let can_resend = r.state != "queued";
            view! {
                <tr data-state=r.state.clone()>
                    <td>{relative(now, r.created_at)}</td>
                    <td>{r.recipient}</td>
                    <td>{r.channel}</td>
                    <td class="notify-subject">{r.subject}
                        {r.last_error.map(|e| view! { <span class="notify-error">{e}</span> })}
                    </td>
                    <td><span class=format!("notify-state state-{}", r.state)>{state}</span>
                        {(r.attempts > 1).then(|| format!(" ({} tries)", r.attempts))}
                    </td>
                    <td>
                        {can_resend.then(|| view! {
                            <form method="post" action={path_of::<ResendNotification>()}>
                                <input type="hidden" name="id" value=r.id.to_string()/>
                                <button type="submit" class="button">"Resend"</button>
                            </form>
                        })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="outbox">
                <thead><tr>
                    <th scope="col">"When"</th><th scope="col">"To"</th><th scope="col">"By"</th>
                    <th scope="col">"What"</th><th scope="col">"State"</th><th scope="col"><span class="visually-hidden">"Resend"</span></th>
                </tr></thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
}
