// A benchmark's entry point: exit 0 when it finishes (open handles such as LanceDB's would keep
// the process alive), 1 with the error printed when it fails.
export function runMain(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
