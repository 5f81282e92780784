/** Where a signed-in user lands (after sign-in, registration, or visiting "/"). */
export const HOME = "/domains";
