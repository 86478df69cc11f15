// `npm run bench [-- page|fanout|crowd|history]`: every benchmark, or the one named. Each prints its
// figures against a reference or a target measured in the same run.
const wanted = process.argv[2];
if (!wanted || wanted === 'page') await import('./page.ts');
if (!wanted || wanted === 'fanout') await import('./fanout.ts');
if (!wanted || wanted === 'crowd') await import('./crowd.ts');
if (!wanted || wanted === 'history') await import('./history.ts');
export {};
