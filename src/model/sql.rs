//! The closed sets stored as text (`ActionStatus`, `FunnelStage`, `Role`,
//! the sets of `kinds`, and `EventKind`):
//! one checked mapping each, so rows decode into the enum and values bind
//! as it. A stored value outside the set is a decode error — the server's
//! fault (500), never the caller's (400).

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgHasArrayType, PgTypeInfo, PgValueRef};
use sqlx::{Decode, Encode, Postgres, Type};

macro_rules! text_column {
    ($($t:ty),* $(,)?) => {$(
        text_type!($t);

        impl<'r> Decode<'r, Postgres> for $t {
            fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
                let text = <&str as Decode<Postgres>>::decode(value)?;
                <$t>::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == text)
                    .ok_or_else(|| format!("{text:?} is not a {}", stringify!($t)).into())
            }
        }
    )*};
}

/// The type and encoding of a closed set stored as its `as_str()`.
macro_rules! text_type {
    ($t:ty) => {
        impl Type<Postgres> for $t {
            fn type_info() -> PgTypeInfo {
                <String as Type<Postgres>>::type_info()
            }
            fn compatible(ty: &PgTypeInfo) -> bool {
                <String as Type<Postgres>>::compatible(ty)
            }
        }

        impl PgHasArrayType for $t {
            fn array_type_info() -> PgTypeInfo {
                <String as PgHasArrayType>::array_type_info()
            }
        }

        impl Encode<'_, Postgres> for $t {
            fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
                <&str as Encode<Postgres>>::encode(self.as_str(), buf)
            }
        }
    };
}

text_column!(
    super::ActionStatus,
    super::FunnelStage,
    super::Role,
    super::kinds::AgentStatus,
    super::kinds::DeliverableKind,
    super::kinds::DeliverableStatus,
    super::kinds::SongStatus,
    super::kinds::Scope,
);

// An event kind this build does not know (a newer instance wrote it during
// a rolling deploy) is not an error: it reads as `Other`.
text_type!(super::live::EventKind);

impl<'r> Decode<'r, Postgres> for super::live::EventKind {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(Self::from_stored(<&str as Decode<Postgres>>::decode(
            value,
        )?))
    }
}
