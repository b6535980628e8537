<?xml version="1.0" encoding="UTF-8"?>
<!--
  swnode: customs declaration, domestic -> international.

  Input:  cd:CustomsDeclaration (urn:swnode:domestic:customs-declaration:1),
          valid against domestic.xsd.
  Output: md:MetaData wrapping a WCO Data Model 3.6 Declaration (DEC-DMS:2),
          valid against international.xsd and the published WCO schema.

  A pure function of the input: no parameters, no dates, no extensions.
  Every value is copied whitespace-normalised (the domestic types are
  xs:token), so that to-domestic.xsl gives back the same document.  Optional domestic fields
  that are absent produce no WCO element, and no empty wrapper is emitted.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:cd="urn:swnode:domestic:customs-declaration:1"
    xmlns:md="urn:wco:datamodel:WCO:DocumentMetaData-DMS:2"
    xmlns="urn:wco:datamodel:WCO:DEC-DMS:2"
    xmlns:ds="urn:wco:datamodel:WCO:MetaData_DS-DMS:2"
    xmlns:clm63055="urn:un:unece:uncefact:codelist:standard:UNECE:AgencyIdentificationCode:D12B"
    xmlns:clm5ISO42173A="urn:un:unece:uncefact:codelist:standard:ISO:ISO3AlphaCurrencyCode:2012-08-31"
    xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:6"
    xmlns:p1="urn:wco:datamodel:WCO:Declaration_DS:DMS:2"
    exclude-result-prefixes="cd">

  <xsl:output method="xml" encoding="UTF-8" indent="yes"/>
  <xsl:strip-space elements="*"/>

  <xsl:template match="/">
    <xsl:if test="not(cd:CustomsDeclaration)">
      <xsl:message terminate="yes">to-international: root element is not CustomsDeclaration in urn:swnode:domestic:customs-declaration:1</xsl:message>
    </xsl:if>
    <xsl:apply-templates select="cd:CustomsDeclaration"/>
  </xsl:template>

  <!-- ============================== envelope ========================== -->

  <xsl:template match="cd:CustomsDeclaration">
    <md:MetaData>
      <md:WCODataModelVersionCode>3.6</md:WCODataModelVersionCode>
      <md:WCOTypeName>DEC</md:WCOTypeName>
      <md:ResponsibleCountryCode><xsl:value-of select="normalize-space(cd:ResponsibleCountryCode)"/></md:ResponsibleCountryCode>
      <md:ResponsibleAgencyName><xsl:value-of select="normalize-space(cd:ResponsibleAgencyName)"/></md:ResponsibleAgencyName>
      <xsl:for-each select="cd:CustomizationVersionCode">
        <md:AgencyAssignedCustomizationVersionCode><xsl:value-of select="normalize-space(.)"/></md:AgencyAssignedCustomizationVersionCode>
      </xsl:for-each>
      <Declaration>
        <FunctionCode><xsl:value-of select="normalize-space(cd:FunctionCode)"/></FunctionCode>
        <FunctionalReferenceID><xsl:value-of select="normalize-space(cd:FunctionalReference)"/></FunctionalReferenceID>
        <TypeCode><xsl:value-of select="normalize-space(cd:DeclarationTypeCode)"/></TypeCode>
        <GoodsItemQuantity><xsl:value-of select="normalize-space(cd:GoodsItemQuantity)"/></GoodsItemQuantity>
        <xsl:for-each select="cd:InvoiceAmount">
          <InvoiceAmount currencyID="{normalize-space(@currency)}"><xsl:value-of select="normalize-space(.)"/></InvoiceAmount>
        </xsl:for-each>
        <xsl:for-each select="cd:TotalPackageQuantity">
          <TotalPackageQuantity><xsl:value-of select="normalize-space(.)"/></TotalPackageQuantity>
        </xsl:for-each>
        <xsl:apply-templates select="cd:AdditionalInformation"/>
        <xsl:for-each select="cd:Agent">
          <Agent>
            <xsl:call-template name="party"/>
            <xsl:for-each select="cd:StatusCode">
              <FunctionCode><xsl:value-of select="normalize-space(.)"/></FunctionCode>
            </xsl:for-each>
          </Agent>
        </xsl:for-each>
        <xsl:for-each select="cd:AuthorisationHolder">
          <AuthorisationHolder>
            <ID><xsl:value-of select="normalize-space(cd:Id)"/></ID>
            <CategoryCode><xsl:value-of select="normalize-space(cd:CategoryCode)"/></CategoryCode>
          </AuthorisationHolder>
        </xsl:for-each>
        <xsl:apply-templates select="cd:BorderTransportMeans"/>
        <xsl:if test="cd:Carrier or cd:FreightPaymentMethodCode or cd:RoutingCountry">
          <Consignment>
            <xsl:for-each select="cd:Carrier">
              <Carrier><xsl:call-template name="party"/></Carrier>
            </xsl:for-each>
            <xsl:for-each select="cd:FreightPaymentMethodCode">
              <Freight>
                <PaymentMethodCode><xsl:value-of select="normalize-space(.)"/></PaymentMethodCode>
              </Freight>
            </xsl:for-each>
            <xsl:for-each select="cd:RoutingCountry">
              <Itinerary>
                <SequenceNumeric><xsl:value-of select="normalize-space(cd:SequenceNumber)"/></SequenceNumeric>
                <RoutingCountryCode><xsl:value-of select="normalize-space(cd:CountryCode)"/></RoutingCountryCode>
              </Itinerary>
            </xsl:for-each>
          </Consignment>
        </xsl:if>
        <Declarant>
          <xsl:for-each select="cd:Declarant/cd:Name">
            <Name><xsl:value-of select="normalize-space(.)"/></Name>
          </xsl:for-each>
          <ID><xsl:value-of select="normalize-space(cd:Declarant/cd:Id)"/></ID>
        </Declarant>
        <xsl:for-each select="cd:ExitOfficeId">
          <ExitOffice>
            <ID><xsl:value-of select="normalize-space(.)"/></ID>
          </ExitOffice>
        </xsl:for-each>
        <xsl:for-each select="cd:Exporter">
          <Exporter><xsl:call-template name="party"/></Exporter>
        </xsl:for-each>
        <xsl:call-template name="goods-shipment"/>
        <xsl:for-each select="cd:EntryOfficeId">
          <PresentationOffice>
            <ID><xsl:value-of select="normalize-space(.)"/></ID>
          </PresentationOffice>
        </xsl:for-each>
      </Declaration>
    </md:MetaData>
  </xsl:template>

  <!-- Name then ID, in the WCO order; the context is a domestic party. -->
  <xsl:template name="party">
    <xsl:for-each select="cd:Name">
      <Name><xsl:value-of select="normalize-space(.)"/></Name>
    </xsl:for-each>
    <xsl:for-each select="cd:Id">
      <ID><xsl:value-of select="normalize-space(.)"/></ID>
    </xsl:for-each>
  </xsl:template>

  <xsl:template match="cd:BorderTransportMeans">
    <BorderTransportMeans>
      <xsl:for-each select="cd:Id">
        <ID><xsl:value-of select="normalize-space(.)"/></ID>
      </xsl:for-each>
      <xsl:for-each select="cd:IdentificationTypeCode">
        <IdentificationTypeCode><xsl:value-of select="normalize-space(.)"/></IdentificationTypeCode>
      </xsl:for-each>
      <xsl:for-each select="cd:NationalityCode">
        <RegistrationNationalityCode><xsl:value-of select="normalize-space(.)"/></RegistrationNationalityCode>
      </xsl:for-each>
      <ModeCode><xsl:value-of select="normalize-space(cd:ModeCode)"/></ModeCode>
    </BorderTransportMeans>
  </xsl:template>

  <!-- ============================== goods shipment ==================== -->

  <xsl:template name="goods-shipment">
    <GoodsShipment>
      <xsl:for-each select="cd:DepartureDate">
        <ExitDateTime>
          <p1:DateTimeString formatCode="102"><xsl:value-of select="normalize-space(translate(., '-', ''))"/></p1:DateTimeString>
        </ExitDateTime>
      </xsl:for-each>
      <xsl:for-each select="cd:Consignee">
        <Consignee>
          <xsl:call-template name="party"/>
          <xsl:for-each select="cd:Address">
            <Address>
              <CityName><xsl:value-of select="normalize-space(cd:CityName)"/></CityName>
              <CountryCode><xsl:value-of select="normalize-space(cd:CountryCode)"/></CountryCode>
              <Line><xsl:value-of select="normalize-space(cd:Line)"/></Line>
              <xsl:for-each select="cd:PostcodeId">
                <PostcodeID><xsl:value-of select="normalize-space(.)"/></PostcodeID>
              </xsl:for-each>
            </Address>
          </xsl:for-each>
        </Consignee>
      </xsl:for-each>
      <xsl:if test="cd:Containerised or cd:DepartureTransportMeans or cd:GoodsLocation or cd:LoadingPort or cd:Container">
        <Consignment>
          <xsl:for-each select="cd:Containerised">
            <ContainerCode>
              <xsl:choose>
                <xsl:when test=". = 'true'">1</xsl:when>
                <xsl:otherwise>0</xsl:otherwise>
              </xsl:choose>
            </ContainerCode>
          </xsl:for-each>
          <xsl:for-each select="cd:DepartureTransportMeans">
            <DepartureTransportMeans>
              <ID><xsl:value-of select="normalize-space(cd:Id)"/></ID>
              <xsl:for-each select="cd:IdentificationTypeCode">
                <IdentificationTypeCode><xsl:value-of select="normalize-space(.)"/></IdentificationTypeCode>
              </xsl:for-each>
              <xsl:for-each select="cd:ModeCode">
                <ModeCode><xsl:value-of select="normalize-space(.)"/></ModeCode>
              </xsl:for-each>
            </DepartureTransportMeans>
          </xsl:for-each>
          <xsl:for-each select="cd:GoodsLocation">
            <GoodsLocation>
              <xsl:for-each select="cd:Name">
                <Name><xsl:value-of select="normalize-space(.)"/></Name>
              </xsl:for-each>
              <xsl:for-each select="cd:Id">
                <ID><xsl:value-of select="normalize-space(.)"/></ID>
              </xsl:for-each>
              <xsl:for-each select="cd:TypeCode">
                <TypeCode><xsl:value-of select="normalize-space(.)"/></TypeCode>
              </xsl:for-each>
              <xsl:if test="cd:QualifierCode or cd:CountryCode">
                <Address>
                  <xsl:for-each select="cd:QualifierCode">
                    <TypeCode><xsl:value-of select="normalize-space(.)"/></TypeCode>
                  </xsl:for-each>
                  <xsl:for-each select="cd:CountryCode">
                    <CountryCode><xsl:value-of select="normalize-space(.)"/></CountryCode>
                  </xsl:for-each>
                </Address>
              </xsl:if>
            </GoodsLocation>
          </xsl:for-each>
          <xsl:for-each select="cd:LoadingPort">
            <LoadingLocation>
              <ID><xsl:value-of select="normalize-space(.)"/></ID>
            </LoadingLocation>
          </xsl:for-each>
          <xsl:for-each select="cd:Container">
            <TransportEquipment>
              <SequenceNumeric><xsl:value-of select="normalize-space(cd:SequenceNumber)"/></SequenceNumeric>
              <ID><xsl:value-of select="normalize-space(cd:Id)"/></ID>
              <xsl:for-each select="cd:Seal">
                <Seal>
                  <SequenceNumeric><xsl:value-of select="normalize-space(cd:SequenceNumber)"/></SequenceNumeric>
                  <ID><xsl:value-of select="normalize-space(cd:Id)"/></ID>
                </Seal>
              </xsl:for-each>
            </TransportEquipment>
          </xsl:for-each>
        </Consignment>
      </xsl:if>
      <xsl:for-each select="cd:DestinationCountryCode">
        <Destination>
          <CountryCode><xsl:value-of select="normalize-space(.)"/></CountryCode>
        </Destination>
      </xsl:for-each>
      <xsl:for-each select="cd:ExportCountryCode">
        <ExportCountry>
          <ID><xsl:value-of select="normalize-space(.)"/></ID>
        </ExportCountry>
      </xsl:for-each>
      <xsl:apply-templates select="cd:GoodsItem"/>
      <xsl:for-each select="cd:Importer">
        <Importer><xsl:call-template name="party"/></Importer>
      </xsl:for-each>
      <xsl:apply-templates select="cd:PreviousDocument"/>
    </GoodsShipment>
  </xsl:template>

  <!-- ============================== goods item ======================== -->

  <xsl:template match="cd:GoodsItem">
    <GovernmentAgencyGoodsItem>
      <SequenceNumeric><xsl:value-of select="normalize-space(cd:SequenceNumber)"/></SequenceNumeric>
      <xsl:for-each select="cd:StatisticalValue">
        <StatisticalValueAmount currencyID="{normalize-space(@currency)}"><xsl:value-of select="normalize-space(.)"/></StatisticalValueAmount>
      </xsl:for-each>
      <xsl:for-each select="cd:TransactionNatureCode">
        <TransactionNatureCode><xsl:value-of select="normalize-space(.)"/></TransactionNatureCode>
      </xsl:for-each>
      <xsl:for-each select="cd:AdditionalDocument">
        <AdditionalDocument>
          <xsl:for-each select="cd:CategoryCode">
            <CategoryCode><xsl:value-of select="normalize-space(.)"/></CategoryCode>
          </xsl:for-each>
          <xsl:for-each select="cd:Id">
            <ID><xsl:value-of select="normalize-space(.)"/></ID>
          </xsl:for-each>
          <xsl:for-each select="cd:Name">
            <Name><xsl:value-of select="normalize-space(.)"/></Name>
          </xsl:for-each>
          <TypeCode><xsl:value-of select="normalize-space(cd:TypeCode)"/></TypeCode>
          <xsl:for-each select="cd:ExemptionCode">
            <LPCOExemptionCode><xsl:value-of select="normalize-space(.)"/></LPCOExemptionCode>
          </xsl:for-each>
          <xsl:for-each select="cd:WriteOffQuantity">
            <WriteOff>
              <QuantityQuantity>
                <xsl:call-template name="unit-code"/>
                <xsl:value-of select="normalize-space(.)"/>
              </QuantityQuantity>
            </WriteOff>
          </xsl:for-each>
        </AdditionalDocument>
      </xsl:for-each>
      <xsl:apply-templates select="cd:AdditionalInformation"/>
      <Commodity>
        <Description><xsl:value-of select="normalize-space(cd:Description)"/></Description>
        <xsl:for-each select="cd:Classification">
          <Classification>
            <ID><xsl:value-of select="normalize-space(cd:Code)"/></ID>
            <IdentificationTypeCode><xsl:value-of select="normalize-space(cd:TypeCode)"/></IdentificationTypeCode>
          </Classification>
        </xsl:for-each>
        <xsl:if test="cd:GrossMass or cd:NetMass or cd:SupplementaryQuantity">
          <GoodsMeasure>
            <xsl:for-each select="cd:GrossMass">
              <GrossMassMeasure><xsl:value-of select="normalize-space(.)"/></GrossMassMeasure>
            </xsl:for-each>
            <xsl:for-each select="cd:NetMass">
              <NetNetWeightMeasure><xsl:value-of select="normalize-space(.)"/></NetNetWeightMeasure>
            </xsl:for-each>
            <xsl:for-each select="cd:SupplementaryQuantity">
              <TariffQuantity>
                <xsl:call-template name="unit-code"/>
                <xsl:value-of select="normalize-space(.)"/>
              </TariffQuantity>
            </xsl:for-each>
          </GoodsMeasure>
        </xsl:if>
      </Commodity>
      <xsl:for-each select="cd:DestinationCountryCode">
        <Destination>
          <CountryCode><xsl:value-of select="normalize-space(.)"/></CountryCode>
        </Destination>
      </xsl:for-each>
      <xsl:for-each select="cd:Procedure">
        <GovernmentProcedure>
          <CurrentCode><xsl:value-of select="normalize-space(cd:Code)"/></CurrentCode>
          <xsl:for-each select="cd:PreviousCode">
            <PreviousCode><xsl:value-of select="normalize-space(.)"/></PreviousCode>
          </xsl:for-each>
        </GovernmentProcedure>
      </xsl:for-each>
      <xsl:for-each select="cd:OriginCountryCode">
        <Origin>
          <CountryCode><xsl:value-of select="normalize-space(.)"/></CountryCode>
        </Origin>
      </xsl:for-each>
      <xsl:for-each select="cd:Packaging">
        <Packaging>
          <SequenceNumeric><xsl:value-of select="normalize-space(cd:SequenceNumber)"/></SequenceNumeric>
          <xsl:for-each select="cd:Marks">
            <MarksNumbersID><xsl:value-of select="normalize-space(.)"/></MarksNumbersID>
          </xsl:for-each>
          <xsl:for-each select="cd:Quantity">
            <QuantityQuantity><xsl:value-of select="normalize-space(.)"/></QuantityQuantity>
          </xsl:for-each>
          <xsl:for-each select="cd:TypeCode">
            <TypeCode><xsl:value-of select="normalize-space(.)"/></TypeCode>
          </xsl:for-each>
        </Packaging>
      </xsl:for-each>
      <xsl:apply-templates select="cd:PreviousDocument"/>
    </GovernmentAgencyGoodsItem>
  </xsl:template>

  <xsl:template name="unit-code">
    <xsl:if test="@unitCode">
      <xsl:attribute name="unitCode"><xsl:value-of select="normalize-space(@unitCode)"/></xsl:attribute>
    </xsl:if>
  </xsl:template>

  <!-- ============================== shared ============================ -->

  <xsl:template match="cd:AdditionalInformation">
    <AdditionalInformation>
      <xsl:for-each select="cd:StatementCode">
        <StatementCode><xsl:value-of select="normalize-space(.)"/></StatementCode>
      </xsl:for-each>
      <xsl:for-each select="cd:StatementDescription">
        <StatementDescription><xsl:value-of select="normalize-space(.)"/></StatementDescription>
      </xsl:for-each>
    </AdditionalInformation>
  </xsl:template>

  <xsl:template match="cd:PreviousDocument">
    <PreviousDocument>
      <xsl:for-each select="cd:CategoryCode">
        <CategoryCode><xsl:value-of select="normalize-space(.)"/></CategoryCode>
      </xsl:for-each>
      <ID><xsl:value-of select="normalize-space(cd:Id)"/></ID>
      <TypeCode><xsl:value-of select="normalize-space(cd:TypeCode)"/></TypeCode>
      <xsl:for-each select="cd:LineNumber">
        <LineNumeric><xsl:value-of select="normalize-space(.)"/></LineNumeric>
      </xsl:for-each>
    </PreviousDocument>
  </xsl:template>

</xsl:stylesheet>
