// Commands implemented by the domain packages are wired here as they land.
export {};
