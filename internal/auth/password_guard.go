package auth

import (
	"context"
	"fmt"
)

// PasswordAttempt counts one guess at a signed-in user's current password
// (changing their own password), with the login limits on a counter of its
// own: a stolen access token must not become an unthrottled password
// oracle, nor lock the user out of login. It answers 429 once the
// allowance is used up; otherwise done reports the outcome: a wrong guess
// that uses up the allowance gives 429 (else nil, and the caller answers
// its own 422), a right one clears the count.
func (s *Service) PasswordAttempt(ctx context.Context, userID string) (done func(ok bool) error, err error) {
	key := s.redis.Key("pwfail", userID)
	n, err := s.countAttempt(ctx, key)
	if err != nil {
		return nil, err
	}
	if n > int64(s.set.LoginMaxFails) {
		return nil, s.lockedError(ctx, key)
	}
	return func(ok bool) error {
		if !ok {
			if n >= int64(s.set.LoginMaxFails) {
				return s.lockedError(ctx, key)
			}
			return nil
		}
		if err := s.redis.Del(ctx, key).Err(); err != nil {
			return fmt.Errorf("auth.password_attempt: %w", err)
		}
		return nil
	}, nil
}
