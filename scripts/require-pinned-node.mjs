// Runs before `npm start` and `npm test`, on whichever Node npm found first on the PATH: plain
// JavaScript, because an older Node cannot read TypeScript and would fail with a cryptic error.
// The project runs on the Node.js 24 that its `node` dev dependency installs (node_modules/.bin,
// which npm puts first on the PATH of its scripts); that package's install script fetches the
// binary, and npm runs it only while package.json's allowScripts approves it.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `This project runs on Node.js 24, installed by its "node" dev dependency into node_modules/.bin;\n` +
      `npm found Node.js ${process.versions.node} instead, so that install did not happen.\n` +
      `Run \`npm install\` in the project's folder, then \`npm install-scripts ls\`: the "node" package's\n` +
      `install script must be approved in package.json's allowScripts (docs/decisions/0013).\n`,
  );
  process.exit(1);
}
