//! The closed sets of agents, deliverables, songs and API tokens, as the
//! schema's check constraints allow them. Each is written once with
//! [`closed_set!`]: the enum (serialised as its stored name), every value,
//! its stored name, and a parse that names the choices when refusing.

use serde::{Deserialize, Serialize};

/// An enum of stored names: `ALL`, `as_str`, `parse` (exactly the stored
/// name, as the schema's check wants it; the error names the set and its
/// choices) and `Display`. Registered as a text column in `model/sql.rs`.
macro_rules! closed_set {
    (
        $(#[$meta:meta])*
        $what:literal, pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }
    ) => {
        // Serialised as the lowercase variant name, which is the stored
        // name (a unit test holds them together): a `rename` per variant
        // written by the macro is not seen by utoipa's schema.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "lowercase")]
        #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
        $(#[$meta])*
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in the schema's order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];
            /// What a value is called in messages.
            pub const WHAT: &'static str = $what;

            /// The value stored in the database, used in URLs and JSON.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }

            /// Reads a stored name; the error names the choices
            /// (`unknown status "sleeping" (active, idle, error or offline)`).
            pub fn parse(text: &str) -> Result<Self, String> {
                Self::parse_as(text, Self::WHAT)
            }

            /// [`Self::parse`], calling the value `what` in the error.
            pub fn parse_as(text: &str, what: &str) -> Result<Self, String> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == text)
                    .ok_or_else(|| {
                        let names = choices(Self::ALL.iter().map(|v| v.as_str()));
                        format!("unknown {what} {text:?} ({names})")
                    })
            }
        }

        /// Compares with a stored name (`status == "published"`).
        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// "a, b, c or d".
pub fn choices<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.collect();
    match names.split_last() {
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

closed_set! {
    /// What an agent says it is doing (`agent_status.status`).
    // In the OpenAPI document `AgentStatus` is the REST API's agent object.
    #[cfg_attr(feature = "ssr", schema(as = AgentState))]
    "status", pub enum AgentStatus {
        Active = "active",
        Idle = "idle",
        Error = "error",
        Offline = "offline",
    }
}

closed_set! {
    /// What a deliverable is (`deliverables.deliverable_type`).
    "kind", pub enum DeliverableKind {
        Song = "song",
        Code = "code",
        Document = "document",
        Album = "album",
        Video = "video",
    }
}

closed_set! {
    /// Where a deliverable stands (`deliverables.status`).
    "status", pub enum DeliverableStatus {
        Draft = "draft",
        Review = "review",
        Approved = "approved",
        Published = "published",
    }
}

closed_set! {
    /// Where a song stands (`songs.status`).
    "status", pub enum SongStatus {
        Generated = "generated",
        Reviewed = "reviewed",
        Mastered = "mastered",
        Released = "released",
    }
}

closed_set! {
    /// What an API token may do (`api_tokens.scopes`).
    "scope", pub enum Scope {
        /// `POST /agents/{name}/heartbeat`.
        Heartbeat = "heartbeat",
        /// `/sync/…`: send plans, snapshots, songs and deliverables.
        Sync = "sync",
        Revenue = "revenue",
        /// Every `GET`.
        Read = "read",
        /// Complete and block actions.
        Actions = "actions",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// JSON, the database and URLs all use the stored name.
    fn round_trips<T>(
        all: &[T],
        as_str: fn(T) -> &'static str,
        parse: fn(&str) -> Result<T, String>,
    ) where
        T: Copy + PartialEq + std::fmt::Debug + Serialize + serde::de::DeserializeOwned,
    {
        for v in all {
            assert_eq!(parse(as_str(*v)), Ok(*v));
            let json = serde_json::to_value(v).unwrap();
            assert_eq!(json, as_str(*v));
            assert_eq!(serde_json::from_value::<T>(json).unwrap(), *v);
        }
    }

    #[test]
    fn every_value_reads_back_and_serialises_as_stored() {
        round_trips(AgentStatus::ALL, AgentStatus::as_str, AgentStatus::parse);
        round_trips(
            DeliverableKind::ALL,
            DeliverableKind::as_str,
            DeliverableKind::parse,
        );
        round_trips(
            DeliverableStatus::ALL,
            DeliverableStatus::as_str,
            DeliverableStatus::parse,
        );
        round_trips(SongStatus::ALL, SongStatus::as_str, SongStatus::parse);
        round_trips(Scope::ALL, Scope::as_str, Scope::parse);
        assert_eq!(SongStatus::parse("mastered"), Ok(SongStatus::Mastered));
        // Exactly as stored: the schema's check would refuse anything else.
        assert!(SongStatus::parse(" Mastered ").is_err());
        assert!(Scope::parse("SYNC").is_err());
        assert_eq!(DeliverableStatus::Published.to_string(), "published");
    }

    #[test]
    fn an_unknown_value_is_refused_with_the_choices() {
        assert_eq!(
            AgentStatus::parse("sleeping").unwrap_err(),
            "unknown status \"sleeping\" (active, idle, error or offline)"
        );
        assert_eq!(
            Scope::parse("admin").unwrap_err(),
            "unknown scope \"admin\" (heartbeat, sync, revenue, read or actions)"
        );
    }
}
