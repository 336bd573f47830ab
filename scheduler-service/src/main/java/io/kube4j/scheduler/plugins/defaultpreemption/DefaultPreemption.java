package io.kube4j.scheduler.plugins.defaultpreemption;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.function.ToLongFunction;
import java.util.random.RandomGenerator;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.kube4j.api.selector.LabelSelector;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.events.EventRecorder;
import io.kube4j.client.informer.Lister;
import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.FitError;
import io.kube4j.scheduler.framework.Framework;
import io.kube4j.scheduler.framework.FrameworkAware;
import io.kube4j.scheduler.framework.FrameworkHandle;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.PluginArgs;
import io.kube4j.scheduler.framework.PodKeys;
import io.kube4j.scheduler.framework.PodPriority;
import io.kube4j.scheduler.framework.PostFilterPlugin;
import io.kube4j.scheduler.framework.PostFilterResult;
import io.kube4j.scheduler.framework.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Kubernetes' {@code DefaultPreemption} PostFilter: when a pod fits nowhere, find the node where evicting the fewest,
 * lowest-priority pods (respecting PodDisruptionBudgets where possible) makes it fit, nominate the pod to that node,
 * and delete the victims gracefully with a {@code Preempted} Event on each. The pod then waits in the queue; the
 * victims' deletions wake it and the nomination keeps lower-priority pods from taking the room meanwhile.
 *
 * <p>Steps, as {@code preemption.Evaluator.Preempt}: (1) eligibility ({@code preemptionPolicy: Never}, or a
 * nomination whose lower-priority victims are still terminating, means no new preemption); (2) candidates by a dry
 * run on a sample of the nodes whose filter status is {@code Unschedulable} (not {@code UnschedulableAndUnresolvable}):
 * remove every lower-priority pod, check the pod fits, then reprieve victims, PDB-violating ones first, highest
 * priority first; (3) the best candidate: fewest PDB violations, lowest highest-victim priority, smallest sum of
 * priorities, fewest victims, latest start among the highest-priority victims; (4) act through the apiserver.
 *
 * <p>Args: {@code minCandidateNodesPercentage} (0–100, default 10) and {@code minCandidateNodesAbsolute} (≥ 0, default
 * 100): the dry run stops after {@code max(nodes × percentage, absolute)} candidates, starting at a random node.
 */
public final class DefaultPreemption implements PostFilterPlugin, FrameworkAware {

    public static final String NAME = "DefaultPreemption";
    /** The condition Kubernetes puts on a victim before deleting it. */
    public static final String DISRUPTION_TARGET = "DisruptionTarget";
    public static final String REASON_PREEMPTION_BY_SCHEDULER = "PreemptionByScheduler";

    private static final Logger log = LoggerFactory.getLogger(DefaultPreemption.class);
    private static final Duration API_TIMEOUT = Duration.ofSeconds(30);

    private final FrameworkHandle handle;
    private final int minCandidateNodesPercentage;
    private final int minCandidateNodesAbsolute;
    private final RandomGenerator random;
    private final Lister<PodDisruptionBudget> pdbLister;
    private final Lister<Pod> podLister;
    private final List<IntConsumer> victimListeners = new CopyOnWriteArrayList<>();
    private volatile Framework framework;

    /** A nominated node's victims: the pods to delete and how many of them violate a PodDisruptionBudget. */
    public record Candidate(String nodeName, List<Pod> victims, int numPdbViolations) {
        public Candidate {
            victims = List.copyOf(victims);
        }
    }

    /** Victim selection on one node: the victims, or why preemption cannot help there. */
    record Victims(List<Pod> pods, int numPdbViolations, Status status) {
    }

    public DefaultPreemption(PluginArgs args, FrameworkHandle handle) {
        this(args, handle, RandomGenerator.getDefault());
    }

    public DefaultPreemption(PluginArgs args, FrameworkHandle handle, RandomGenerator random) {
        this.handle = Objects.requireNonNull(handle);
        this.random = random;
        this.minCandidateNodesPercentage = args.integer("minCandidateNodesPercentage", 10);
        this.minCandidateNodesAbsolute = args.integer("minCandidateNodesAbsolute", 100);
        if (minCandidateNodesPercentage < 0 || minCandidateNodesPercentage > 100) {
            throw args.invalid("minCandidateNodesPercentage", "in the range [0, 100]", minCandidateNodesPercentage);
        }
        if (minCandidateNodesAbsolute < 0) {
            throw args.invalid("minCandidateNodesAbsolute", "at least 0", minCandidateNodesAbsolute);
        }
        if (minCandidateNodesPercentage == 0 && minCandidateNodesAbsolute == 0) {
            throw new IllegalArgumentException("plugin " + NAME + ": minCandidateNodesPercentage and "
                    + "minCandidateNodesAbsolute cannot both be zero");
        }
        if (handle.informers() != null) {
            // registered now, so the scheduler starts and syncs them with its own informers
            this.pdbLister = handle.informers().informerFor(PodDisruptionBudget.class, null).lister();
            this.podLister = handle.informers().informerFor(Pod.class, null).lister();
        } else {
            this.pdbLister = null;
            this.podLister = null;
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void setFramework(Framework framework) {
        this.framework = framework;
    }

    /** Called with the number of victims of every preemption carried out (for {@code scheduler_preemption_victims}). */
    public void addVictimsListener(IntConsumer listener) {
        victimListeners.add(Objects.requireNonNull(listener));
    }

    /** What the evaluation decided: the candidate to act on, or the result to return without acting. */
    record Evaluation(Candidate best, PostFilterResult result) {
    }

    @Override
    public PostFilterResult postFilter(CycleState state, Pod pod, Map<String, Status> filteredNodeStatuses) {
        Framework fw = framework;
        if (fw == null) {
            return new PostFilterResult(null, Status.error("preemption: " + NAME + " runs outside a framework"));
        }
        // as Kubernetes, every post-filter call is an attempt, and the chosen candidate's victims are observed
        fw.preemptionMetrics().preemptionAttempted();
        // 0) the latest version of the pod (its nomination may have changed since it was queued)
        if (podLister != null) {
            Pod latest = podLister.get(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
            if (latest != null && Objects.equals(latest.getMetadata().getUid(), pod.getMetadata().getUid())) {
                pod = latest;
            }
        }
        Evaluation ev = evaluate(fw, state, pod, filteredNodeStatuses);
        if (ev.best() == null) {
            return ev.result();
        }
        fw.preemptionMetrics().preemptionVictims(ev.best().victims().size());
        // 4) act
        Status s = prepareCandidate(fw, ev.best(), pod);
        if (!s.isSuccess()) {
            return new PostFilterResult(null, s);
        }
        return new PostFilterResult(ev.best().nodeName(), Status.success());
    }

    /** Steps 1 to 3: eligibility, candidates by dry run, the best candidate; nothing is changed. */
    Evaluation evaluate(Framework fw, CycleState state, Pod pod, Map<String, Status> filteredNodeStatuses) {
        // 1) eligibility
        String nominated = nominatedNodeName(pod);
        String notEligible = notEligibleReason(pod, state,
                nominated == null ? null : filteredNodeStatuses.get(nominated));
        if (notEligible != null) {
            return new Evaluation(null, new PostFilterResult(null, Status.unschedulable("preemption: " + notEligible)));
        }
        // 2) candidates
        List<NodeInfo> all = state.snapshot() == null ? List.of() : state.snapshot().nodes();
        if (all.isEmpty()) {
            return new Evaluation(null, new PostFilterResult(null,
                    Status.unschedulable("preemption: no nodes available")));
        }
        Map<String, Status> statuses = new HashMap<>();
        List<NodeInfo> potential = new ArrayList<>();
        for (NodeInfo n : all) {
            Status s = filteredNodeStatuses.get(n.name());
            if (s != null && s.code() == Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE) {
                statuses.put(n.name(), Status.unresolvable("Preemption is not helpful for scheduling"));
            } else {
                potential.add(n);
            }
        }
        List<Candidate> candidates = List.of();
        if (!potential.isEmpty()) {
            int offset = random.nextInt(potential.size());
            candidates = dryRunPreemption(fw, state, pod, potential, pdbs(), offset,
                    numCandidates(potential.size()), statuses);
        }
        if (candidates.isEmpty()) {
            String why = new FitError(all.size(), statuses, Set.of(), null).getMessage();
            // "": clear any earlier nomination, preemption cannot help anywhere now
            return new Evaluation(null, new PostFilterResult("", Status.unschedulable("preemption: " + why)));
        }
        // 3) the best candidate
        return new Evaluation(selectCandidate(candidates), null);
    }

    /**
     * Why {@code pod} may not preempt now, or null when it may (Kubernetes' {@code PodEligibleToPreemptOthers}):
     * {@code preemptionPolicy: Never}; or it is nominated to a node (still usable) where lower-priority pods are
     * terminating — room is being made for it, so it waits instead of preempting more.
     */
    static String notEligibleReason(Pod pod, CycleState state, Status nominatedNodeStatus) {
        if (pod.getSpec() != null && "Never".equals(pod.getSpec().getPreemptionPolicy())) {
            return "not eligible due to preemptionPolicy=Never.";
        }
        String nominated = nominatedNodeName(pod);
        if (nominated != null) {
            if (nominatedNodeStatus != null && nominatedNodeStatus.code() == Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE) {
                return null;
            }
            NodeInfo node = state.snapshot() == null ? null : state.snapshot().get(nominated);
            if (node != null) {
                int priority = PodPriority.of(pod);
                for (NodeInfo.PodEntry e : node.pods()) {
                    if (PodPriority.of(e.pod()) < priority && e.pod().getMetadata().getDeletionTimestamp() != null) {
                        return "not eligible due to a terminating pod on the nominated node.";
                    }
                }
            }
        }
        return null;
    }

    /** How many candidates the dry run looks for among {@code numNodes} (Kubernetes' {@code calculateNumCandidates}). */
    int numCandidates(int numNodes) {
        int n = (int) ((long) numNodes * minCandidateNodesPercentage / 100);
        if (n < minCandidateNodesAbsolute) {
            n = minCandidateNodesAbsolute;
        }
        return Math.min(n, numNodes);
    }

    /**
     * The dry run: victims on each potential node, from {@code offset} on, in parallel, until {@code numCandidates}
     * candidates are found with at least one not violating a PDB. Non-violating candidates come first. Nodes that are
     * no candidate get their reason in {@code statuses}.
     */
    List<Candidate> dryRunPreemption(Framework fw, CycleState state, Pod pod, List<NodeInfo> potential,
            List<PodDisruptionBudget> pdbs, int offset, int numCandidates, Map<String, Status> statuses) {
        List<Candidate> nonViolating = new ArrayList<>();
        List<Candidate> violating = new ArrayList<>();
        AtomicInteger found = new AtomicInteger();
        int n = potential.size();
        Object lock = new Object();
        handle.parallelizer().until(n, i -> {
            NodeInfo nodeCopy = potential.get((offset + i) % n).copy();
            CycleState stateCopy = state.copy();
            Victims v = selectVictimsOnNode(fw, stateCopy, pod, nodeCopy, pdbs);
            synchronized (lock) {
                if (v.status().isSuccess() && !v.pods().isEmpty()) {
                    Candidate c = new Candidate(nodeCopy.name(), v.pods(), v.numPdbViolations());
                    if (nonViolating.size() + violating.size() < numCandidates) {
                        (c.numPdbViolations() == 0 ? nonViolating : violating).add(c);
                    }
                    if (!nonViolating.isEmpty() && nonViolating.size() + violating.size() >= numCandidates) {
                        found.set(1);
                    }
                } else {
                    Status s = v.status().isSuccess()
                            ? Status.error("expected at least one victim pod on node " + nodeCopy.name()) : v.status();
                    statuses.put(nodeCopy.name(), s);
                }
            }
        }, () -> found.get() == 1);
        List<Candidate> out = new ArrayList<>(nonViolating);
        out.addAll(violating);
        return out;
    }

    /**
     * Kubernetes' {@code SelectVictimsOnNode}: remove every pod of lower priority than {@code pod} from the node copy
     * (telling the pre-filter extensions), check the pod fits, then add victims back one at a time — PDB-violating
     * ones first, each group highest priority first — keeping each that still lets the pod fit. {@code node} and
     * {@code state} are the caller's copies and are modified.
     */
    static Victims selectVictimsOnNode(Framework fw, CycleState state, Pod pod, NodeInfo node,
            List<PodDisruptionBudget> pdbs) {
        int priority = PodPriority.of(pod);
        List<Pod> potential = new ArrayList<>();
        for (NodeInfo.PodEntry e : node.pods()) {
            if (PodPriority.of(e.pod()) < priority) {
                potential.add(e.pod());
            }
        }
        if (potential.isEmpty()) {
            return new Victims(List.of(), 0, Status.unresolvable("No preemption victims found for incoming pod"));
        }
        for (Pod p : potential) {
            node.removePod(p);
            Status s = fw.runPreFilterExtensionRemovePod(state, pod, p, node);
            if (!s.isSuccess()) {
                return new Victims(List.of(), 0, Status.error(s.message()));
            }
        }
        // Kubernetes does not try to keep victims the pod has affinity to: if it does not fit now, the node is out.
        Status fits = fw.runFiltersWithNominatedPods(state, pod, node);
        if (!fits.isSuccess()) {
            return new Victims(List.of(), 0, fits);
        }
        potential.sort(PodPriority.MORE_IMPORTANT_FIRST);
        List<List<Pod>> groups = filterPodsWithPdbViolation(potential, pdbs);
        List<Pod> victims = new ArrayList<>();
        int numViolating = 0;
        for (int g = 0; g < 2; g++) {
            for (Pod p : groups.get(g)) {
                node.addPod(p);
                Status s = fw.runPreFilterExtensionAddPod(state, pod, p, node);
                if (!s.isSuccess()) {
                    return new Victims(List.of(), 0, Status.error(s.message()));
                }
                if (!fw.runFiltersWithNominatedPods(state, pod, node).isSuccess()) {
                    node.removePod(p);
                    s = fw.runPreFilterExtensionRemovePod(state, pod, p, node);
                    if (!s.isSuccess()) {
                        return new Victims(List.of(), 0, Status.error(s.message()));
                    }
                    victims.add(p);
                    if (g == 0) {
                        numViolating++;
                    }
                }
            }
        }
        // keep the victims ordered from high to low priority, as the candidate order reads the first as the highest
        victims.sort(PodPriority.MORE_IMPORTANT_FIRST);
        return new Victims(victims, numViolating, Status.success());
    }

    /**
     * Splits {@code pods} into those whose eviction would violate a PodDisruptionBudget and the others, in their given
     * order (Kubernetes' {@code filterPodsWithPDBViolation}): each matching budget's {@code disruptionsAllowed} is
     * spent pod by pod; a pod already in a budget's {@code disruptedPods} is not counted again. A budget with an
     * empty or missing selector matches nothing.
     */
    static List<List<Pod>> filterPodsWithPdbViolation(List<Pod> pods, List<PodDisruptionBudget> pdbs) {
        int[] allowed = new int[pdbs.size()];
        List<LabelSelector> selectors = new ArrayList<>(pdbs.size());
        for (int i = 0; i < pdbs.size(); i++) {
            PodDisruptionBudget pdb = pdbs.get(i);
            Integer a = pdb.getStatus() == null ? null : pdb.getStatus().getDisruptionsAllowed();
            allowed[i] = a == null ? 0 : a;
            LabelSelector sel;
            try {
                sel = pdb.getSpec() == null ? LabelSelector.nothing() : LabelSelector.from(pdb.getSpec().getSelector());
            } catch (IllegalArgumentException e) {
                sel = LabelSelector.nothing();
            }
            selectors.add(sel);
        }
        List<Pod> violating = new ArrayList<>();
        List<Pod> nonViolating = new ArrayList<>();
        for (Pod pod : pods) {
            boolean violated = false;
            Map<String, String> labels = pod.getMetadata().getLabels();
            if (labels != null && !labels.isEmpty()) {
                for (int i = 0; i < pdbs.size(); i++) {
                    PodDisruptionBudget pdb = pdbs.get(i);
                    LabelSelector sel = selectors.get(i);
                    if (!Objects.equals(pdb.getMetadata().getNamespace(), pod.getMetadata().getNamespace())
                            || sel.isNothing() || sel.isEverything() || !sel.matches(labels)) {
                        continue;
                    }
                    Map<String, String> disrupted = pdb.getStatus() == null ? null : pdb.getStatus().getDisruptedPods();
                    if (disrupted != null && disrupted.containsKey(pod.getMetadata().getName())) {
                        continue;
                    }
                    allowed[i]--;
                    if (allowed[i] < 0) {
                        violated = true;
                    }
                }
            }
            (violated ? violating : nonViolating).add(pod);
        }
        return List.of(violating, nonViolating);
    }

    /**
     * The best candidate by Kubernetes' {@code pickOneNodeForPreemption}: fewest PDB violations, then the lowest
     * highest-priority victim, the smallest sum of victim priorities, the fewest victims, and the latest start time of
     * the highest-priority victims; remaining ties go to the first candidate.
     */
    static Candidate selectCandidate(List<Candidate> candidates) {
        if (candidates.size() == 1) {
            return candidates.get(0);
        }
        List<ToLongFunction<Candidate>> scores = List.of(
                c -> -c.numPdbViolations(),
                c -> -(long) PodPriority.of(c.victims().get(0)),
                c -> {
                    long sum = 0;
                    for (Pod p : c.victims()) {
                        sum += (long) PodPriority.of(p) + Integer.MAX_VALUE + 1L;
                    }
                    return -sum;
                },
                c -> -c.victims().size(),
                c -> {
                    Instant t = earliestStartOfHighestPriority(c.victims());
                    return t == null ? Long.MIN_VALUE : t.getEpochSecond() * 1_000_000_000L + t.getNano();
                });
        List<Candidate> selected = candidates;
        for (ToLongFunction<Candidate> f : scores) {
            long max = Long.MIN_VALUE;
            List<Candidate> next = new ArrayList<>();
            for (Candidate c : selected) {
                long s = f.applyAsLong(c);
                if (s > max) {
                    max = s;
                    next.clear();
                    next.add(c);
                } else if (s == max) {
                    next.add(c);
                }
            }
            selected = next;
            if (selected.size() == 1) {
                return selected.get(0);
            }
        }
        return selected.get(0);
    }

    /** Kubernetes' {@code GetEarliestPodStartTime}: the earliest start among the highest-priority victims. */
    static Instant earliestStartOfHighestPriority(List<Pod> victims) {
        if (victims.isEmpty()) {
            return null;
        }
        int maxPriority = victims.stream().mapToInt(PodPriority::of).max().getAsInt();
        return victims.stream().filter(p -> PodPriority.of(p) == maxPriority).map(PodPriority::startTime)
                .min(Comparator.naturalOrder()).orElse(null);
    }

    /**
     * Acts on the chosen candidate (Kubernetes' {@code prepareCandidate}): marks each victim with the
     * {@code DisruptionTarget} condition, deletes it gracefully (its own termination grace period, precondition on its
     * uid) and records a {@code Preempted} Event on it; then clears the nominations of lower-priority pods nominated to
     * the node, which may no longer fit there.
     */
    private Status prepareCandidate(Framework fw, Candidate c, Pod preemptor) {
        if (handle.client() == null) {
            return Status.error("preemption: no apiserver client to delete victims with");
        }
        String message = "Preempted by pod " + preemptor.getMetadata().getUid() + " on node " + c.nodeName();
        String schedulerName = preemptor.getSpec() == null || preemptor.getSpec().getSchedulerName() == null
                ? "default-scheduler" : preemptor.getSpec().getSchedulerName();
        try {
            Flux.fromIterable(c.victims()).flatMap(v -> evict(v, schedulerName).doOnSuccess(x -> {
                if (handle.events() != null) {
                    handle.events().event(v, EventRecorder.NORMAL, "Preempted", message);
                }
            })).then().block(API_TIMEOUT);
        } catch (RuntimeException e) {
            return Status.error("preemption: deleting victims on " + c.nodeName() + " failed: " + e.getMessage());
        }
        log.info("pod {} preempts {} pod(s) on {}: {}", PodKeys.key(preemptor), c.victims().size(), c.nodeName(),
                c.victims().stream().map(PodKeys::key).toList());
        for (IntConsumer l : victimListeners) {
            try {
                l.accept(c.victims().size());
            } catch (RuntimeException e) {
                log.warn("preemption victims listener failed: {}", e.toString());
            }
        }
        int priority = PodPriority.of(preemptor);
        String preemptorKey = PodKeys.key(preemptor);
        Set<String> seen = new HashSet<>();
        List<Mono<Pod>> clears = new ArrayList<>();
        for (Pod p : fw.nominator().nominatedPodsForNode(c.nodeName())) {
            if (PodPriority.of(p) < priority && !PodKeys.key(p).equals(preemptorKey) && seen.add(PodKeys.key(p))) {
                clears.add(clearNomination(p));
            }
        }
        try {
            // not critical: a stale nomination is cleared when that pod is next tried
            Flux.merge(clears).then().block(API_TIMEOUT);
        } catch (RuntimeException e) {
            log.warn("could not clear lower-priority nominations on {}: {}", c.nodeName(), e.toString());
        }
        return Status.success();
    }

    private Mono<Pod> evict(Pod victim, String schedulerName) {
        String ns = victim.getMetadata().getNamespace();
        String name = victim.getMetadata().getName();
        String uid = victim.getMetadata().getUid();
        Long grace = victim.getSpec() == null ? null : victim.getSpec().getTerminationGracePeriodSeconds();
        var pods = handle.client().resources(Pod.class);
        Mono<Pod> mark = pods.updateWithRetry(ns, name, p -> {
            if (uid != null && !uid.equals(p.getMetadata().getUid())) {
                return p;
            }
            setDisruptionTarget(p, schedulerName);
            return p;
        }, true);
        return mark.onErrorResume(DefaultPreemption::notFound, e -> Mono.empty())
                .then(pods.delete(ns, name, new DeleteOptions(grace, null, uid, null)))
                // gone already, or replaced by a pod of the same name (uid precondition): nothing to evict
                .onErrorResume(e -> notFound(e) || e instanceof ApiStatusException a && a.code() == 409,
                        e -> Mono.empty())
                .defaultIfEmpty(victim);
    }

    private Mono<Pod> clearNomination(Pod p) {
        return handle.client().resources(Pod.class).updateWithRetry(p.getMetadata().getNamespace(),
                p.getMetadata().getName(), x -> {
                    if (x.getStatus() != null) {
                        x.getStatus().setNominatedNodeName(null);
                    }
                    return x;
                }, true).onErrorResume(DefaultPreemption::notFound, e -> Mono.empty());
    }

    private static void setDisruptionTarget(Pod p, String schedulerName) {
        if (p.getStatus() == null) {
            p.setStatus(new PodStatus());
        }
        List<PodCondition> conditions = new ArrayList<>(
                p.getStatus().getConditions() == null ? List.of() : p.getStatus().getConditions());
        conditions.removeIf(c -> DISRUPTION_TARGET.equals(c.getType()));
        conditions.add(new PodConditionBuilder().withType(DISRUPTION_TARGET).withStatus("True")
                .withReason(REASON_PREEMPTION_BY_SCHEDULER)
                .withMessage(schedulerName + ": preempting to accommodate a higher priority pod")
                .withLastTransitionTime(Instant.now().toString()).build());
        p.getStatus().setConditions(conditions);
    }

    private static boolean notFound(Throwable e) {
        return e instanceof ApiStatusException a && a.code() == 404;
    }

    private List<PodDisruptionBudget> pdbs() {
        return pdbLister == null ? List.of() : pdbLister.list((String) null);
    }

    private static String nominatedNodeName(Pod pod) {
        String n = pod.getStatus() == null ? null : pod.getStatus().getNominatedNodeName();
        return n == null || n.isEmpty() ? null : n;
    }
}
