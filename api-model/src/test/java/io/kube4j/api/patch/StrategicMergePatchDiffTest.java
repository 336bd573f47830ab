package io.kube4j.api.patch;

import io.kube4j.api.codec.Codecs;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;

/** Patch creation on the built-in types, with the kubectl apply example of the Kubernetes documentation. */
class StrategicMergePatchDiffTest {

    private static final PatchSchema DEPLOYMENT = PatchMetaTable.builtin().forKind("apps/v1", "Deployment").orElseThrow();

    private static JsonNode json(String s) {
        return Codecs.json().readTree(s.replace('\'', '"'));
    }

    /**
     * "How apply calculates differences and merges changes" (kubernetes.io, declarative-config): the user removed
     * minReadySeconds and changed the image; replicas, set by kubectl scale, and the defaulted port protocol stay.
     */
    @Test
    void kubectlApplyDocumentationExample() {
        JsonNode lastApplied = json("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'nginx-deployment'},"
                + "'spec':{'selector':{'matchLabels':{'app':'nginx'}},'minReadySeconds':5,'template':{'metadata':{'labels':"
                + "{'app':'nginx'}},'spec':{'containers':[{'name':'nginx','image':'nginx:1.14.2','ports':[{'containerPort':80}]}]}}}}");
        JsonNode live = json("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'nginx-deployment'},"
                + "'spec':{'replicas':2,'selector':{'matchLabels':{'app':'nginx'}},'minReadySeconds':5,'template':{'metadata':"
                + "{'labels':{'app':'nginx'}},'spec':{'containers':[{'name':'nginx','image':'nginx:1.14.2',"
                + "'ports':[{'containerPort':80,'protocol':'TCP'}]}]}}}}");
        JsonNode config = json("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'nginx-deployment'},"
                + "'spec':{'selector':{'matchLabels':{'app':'nginx'}},'template':{'metadata':{'labels':{'app':'nginx'}},"
                + "'spec':{'containers':[{'name':'nginx','image':'nginx:1.16.1','ports':[{'containerPort':80}]}]}}}}");

        ObjectNode patch = StrategicMergePatchDiff.createThreeWay(lastApplied, config, live, DEPLOYMENT, true);

        assertThat(patch).isEqualTo(json("{'spec':{'minReadySeconds':null,'template':{'spec':{"
                + "'$setElementOrder/containers':[{'name':'nginx'}],'containers':[{'name':'nginx','image':'nginx:1.16.1'}]}}}}"));
        JsonNode result = StrategicMergePatch.apply(live, patch, DEPLOYMENT);
        assertThat(result.at("/spec/replicas").asInt()).isEqualTo(2);
        assertThat(result.at("/spec").has("minReadySeconds")).isFalse();
        assertThat(result.at("/spec/template/spec/containers/0/image").asString()).isEqualTo("nginx:1.16.1");
        assertThat(result.at("/spec/template/spec/containers/0/ports/0/protocol").asString()).isEqualTo("TCP");
    }

    @Test
    void twoWayPatchOfAnEditedPodTemplateMergesContainersByNameAndDeletesWithDirectives() {
        JsonNode before = json("{'spec':{'template':{'spec':{'containers':[{'name':'a','image':'x:1'},{'name':'b','image':'y:1'}],"
                + "'volumes':[{'name':'v','emptyDir':{}}]}}}}");
        JsonNode after = json("{'spec':{'template':{'spec':{'containers':[{'name':'a','image':'x:2'}]}}}}");

        ObjectNode patch = StrategicMergePatchDiff.createTwoWay(before, after, DEPLOYMENT);

        assertThat(patch).isEqualTo(json("{'spec':{'template':{'spec':{'$setElementOrder/containers':[{'name':'a'}],"
                + "'containers':[{'name':'a','image':'x:2'},{'name':'b','$patch':'delete'}],'volumes':null}}}}"));
        assertThat(StrategicMergePatch.apply(before, patch, DEPLOYMENT)).isEqualTo(after);
    }

    @Test
    void finalizersAreAPrimitiveMergeListDeletedWithAParallelList() {
        JsonNode before = json("{'metadata':{'finalizers':['a','b','c']}}");
        JsonNode after = json("{'metadata':{'finalizers':['a','c']}}");

        ObjectNode patch = StrategicMergePatchDiff.createTwoWay(before, after, DEPLOYMENT);

        assertThat(patch).isEqualTo(json("{'metadata':{'$deleteFromPrimitiveList/finalizers':['b'],"
                + "'$setElementOrder/finalizers':['a','c']}}"));
        assertThat(StrategicMergePatch.apply(before, patch, DEPLOYMENT)).isEqualTo(after);
    }

    /**
     * DeploymentSpec.strategy has patchStrategy retainKeys: switching to Recreate sends {@code $retainKeys}, so the
     * server drops rollingUpdate, defaulted fields included (kubectl apply's documented retainKeys use).
     */
    @Test
    void switchingTheDeploymentStrategySendsRetainKeys() {
        JsonNode lastApplied = json("{'spec':{'strategy':{'type':'RollingUpdate','rollingUpdate':{'maxSurge':1}}}}");
        JsonNode live = json("{'spec':{'replicas':1,'strategy':{'type':'RollingUpdate','rollingUpdate':{'maxSurge':1,"
                + "'maxUnavailable':'25%'}}}}");
        JsonNode config = json("{'spec':{'strategy':{'type':'Recreate'}}}");

        ObjectNode patch = StrategicMergePatchDiff.createThreeWay(lastApplied, config, live, DEPLOYMENT, true);

        assertThat(patch).isEqualTo(json("{'spec':{'strategy':{'$retainKeys':['type'],'type':'Recreate',"
                + "'rollingUpdate':null}}}"));
        assertThat(StrategicMergePatch.apply(live, patch, DEPLOYMENT))
                .isEqualTo(json("{'spec':{'replicas':1,'strategy':{'type':'Recreate'}}}"));
    }

    @Test
    void identicalObjectsGiveAnEmptyPatch() {
        JsonNode o = json("{'spec':{'replicas':1,'template':{'spec':{'containers':[{'name':'a','image':'x'}]}}}}");
        assertThat(StrategicMergePatchDiff.createTwoWay(o, o, DEPLOYMENT)).isEmpty();
        assertThat(StrategicMergePatchDiff.createThreeWay(o, o, o, DEPLOYMENT, false)).isEmpty();
    }
}
