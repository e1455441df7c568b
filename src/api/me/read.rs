use actix_web::{web, HttpResponse};

use crate::auth::AnyUser;
use crate::problem::AppResult;
use crate::state::AppState;
use crate::store::mfa;
use crate::store::users::find_in_practice;
use crate::views::identity::MeView;

/// Who am I?
#[utoipa::path(get, path = "/api/v1/me", tag = "users", responses((status = 200, body = MeView)))]
pub async fn read(state: web::Data<AppState>, user: AnyUser) -> AppResult<HttpResponse> {
    let (me, mfa) = state
        .db
        .run_as(user.live(), move |conn| {
            Ok((find_in_practice(conn, &user.practice_id, &user.user_id)?, mfa::enabled(conn, &user.user_id)?))
        })
        .await?;
    Ok(HttpResponse::Ok().json(MeView::of(me, mfa)))
}
