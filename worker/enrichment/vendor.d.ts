// Types for list packages that ship none.
declare module 'role-based-email-addresses' {
  /** Role-account local parts (info, sales, noreply…), lower-case. */
  const roles: string[];
  export default roles;
}
