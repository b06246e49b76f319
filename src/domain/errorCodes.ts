// Whether a text names an error Explain explains, without loading the explanations themselves: the command
// runner asks this of every failed command's message, and the explanations load only when one is asked for.

/** An AADSTS code, or one of Microsoft Graph's authorization codes. */
export function hasExplainableCode(text: string): boolean {
  return /AADSTS\d{5,8}|Authorization_RequestDenied|Authorization_IdentityNotFound|InvalidAuthenticationToken/.test(text);
}
